package io.mlconnector.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TableReferenceTest {

    @Test
    void committedReferenceMatchesTheModel() throws Exception {
        // Maven runs tests in the module directory; the document lives at the repository root.
        assertThat(Files.readString(Path.of("..", "docs", "tables.md")))
                .as("docs/tables.md is stale: cd connector && java -cp target/classes io.mlconnector.mapping.TableReference ../docs/tables.md")
                .isEqualTo(TableReference.markdown());
    }

    @Test
    void everyTableAndColumnIsListedWithItsType() {
        String markdown = TableReference.markdown();
        DatasetModel model = DatasetModel.freshBooks("x");

        assertThat(TableReference.PURPOSE.keySet()).containsExactlyInAnyOrderElementsOf(model.tableNames());
        for (DatasetModel.Table table : model.tables()) {
            assertThat(markdown).contains("\n## " + table.name() + "\n");
            table.columns().forEach(c -> assertThat(markdown).contains("| `" + c.name() + "` | " + c.dataType().powerBiName() + " |"));
            table.measures().forEach(m -> assertThat(markdown).contains("| " + m.name() + " | `"));
        }
    }
}
