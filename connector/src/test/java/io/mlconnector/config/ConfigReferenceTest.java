package io.mlconnector.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {

    @Test
    void committedReferenceMatchesTheCode() throws Exception {
        // Maven runs tests in the module directory; the document lives at the repository root.
        Path committed = Path.of("..", "docs", "configuration.md");

        assertThat(Files.readString(committed))
                .as("docs/configuration.md is stale: run ConfigReference with argument docs/configuration.md")
                .isEqualTo(ConfigReference.markdown());
    }

    @Test
    void everyKeyIsListedWithItsEnvironmentName() {
        String markdown = ConfigReference.markdown();

        ConfigKeys.ALL.forEach(key -> assertThat(markdown).contains("`" + key.key() + "`", "`" + key.envName() + "`"));
        assertThat(markdown).contains("| `powerbi.workspace-id` | `ML_CONNECTOR_POWERBI_WORKSPACE_ID` | text | **required** |");
    }

    @Test
    void everyTableRowHasFiveCells() {
        // An unescaped '|' in a type or meaning (log.format's "text | json" once) splits a row into more cells.
        ConfigReference.markdown().lines().filter(line -> line.startsWith("|")).forEach(line -> assertThat(
                line.replace("\\|", "").chars().filter(c -> c == '|').count()).as(line).isEqualTo(6));
    }
}
