package io.mlconnector.powerbi;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.powerbi.SchemaDiff.Difference;
import io.mlconnector.powerbi.SchemaDiff.Kind;
import io.mlconnector.powerbi.TableInfo.ColumnInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchemaDiffTest {

    private final DatasetModel model = DatasetModel.freshBooks("FreshBooks");

    private List<TableInfo> allTables() {
        return model.tableNames().stream().map(TableInfo::nameOnly).toList();
    }

    @Test
    void aMatchingDatasetHasNoDifferences() {
        assertThat(SchemaDiff.compare(model, Optional.of(allTables()))).isEmpty();
    }

    @Test
    void aMissingDatasetIsOneDifference() {
        List<Difference> differences = SchemaDiff.compare(model, Optional.empty());

        assertThat(differences).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Kind.MISSING_DATASET);
            assertThat(d.description()).contains("'FreshBooks'");
            assertThat(d.fix()).startsWith("mlc dataset create").contains("restart the connector");
            assertThat(d.blocksPushes()).isTrue();
        });
    }

    @Test
    void missingAndExtraTables() {
        List<TableInfo> service = new ArrayList<>(allTables());
        service.removeIf(t -> t.name().equals("bill_lines"));
        service.add(TableInfo.nameOnly("scratch"));

        List<Difference> differences = SchemaDiff.compare(model, Optional.of(service));

        assertThat(differences).extracting(Difference::kind, Difference::table)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.MISSING_TABLE, "bill_lines"),
                        org.assertj.core.groups.Tuple.tuple(Kind.EXTRA_TABLE, "scratch"));
        assertThat(differences.get(0).blocksPushes()).isTrue();
        assertThat(differences.get(1).blocksPushes()).isFalse();
        // PUT cannot add a table to an existing push dataset (powerbi-api.md §2.6): the fix re-creates it.
        assertThat(differences.get(0).toString()).contains("has no table 'bill_lines'",
                "fix: delete the dataset in Power BI, run mlc dataset create", "connect the businesses again");
        assertThat(differences.get(1).fix()).doesNotContain("mlc");
    }

    @Test
    void columnDifferencesWhenTheServiceReportsColumns() {
        List<ColumnInfo> columns = new ArrayList<>();
        for (DatasetModel.Column c : DatasetModel.CLIENTS.columns()) {
            if (c.name().equals("email")) {
                continue; // missing in the service
            }
            String type = c.name().equals("client_id") ? "String" : c.dataType().powerBiName().toLowerCase();
            columns.add(new ColumnInfo(c.name(), type));
        }
        columns.add(new ColumnInfo("legacy_note", "String"));

        List<Difference> differences = SchemaDiff.compareColumns(DatasetModel.CLIENTS, columns);

        assertThat(differences).extracting(Difference::kind, Difference::column).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.COLUMN_TYPE_DIFFERS, "client_id"),
                org.assertj.core.groups.Tuple.tuple(Kind.MISSING_COLUMN, "email"),
                org.assertj.core.groups.Tuple.tuple(Kind.EXTRA_COLUMN, "legacy_note"));
        assertThat(differences.get(0).description()).contains("String in Power BI but Int64 in the model");
    }

    @Test
    void aRejectionNamingAColumnPointsAtThatColumn() {
        PostRowsResult.Rejected rejected = new PostRowsResult.Rejected(400, "InvalidRequest",
                "Column 'week_start' was not found in table 'payments'", "rid");

        List<Difference> differences = SchemaDiff.fromRowsRejection(model, "payments", rejected);

        assertThat(differences).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Kind.COLUMN_REJECTED);
            assertThat(d.column()).isEqualTo("week_start");
            assertThat(d.description()).contains("HTTP 400 InvalidRequest", "week_start");
            assertThat(d.fix()).startsWith("mlc dataset sync");
        });
    }

    @Test
    void aRejectionWithoutColumnNamesIsReportedAgainstTheTable() {
        PostRowsResult.Rejected rejected = new PostRowsResult.Rejected(400, null, null, null);

        assertThat(SchemaDiff.fromRowsRejection(model, "payments", rejected)).singleElement()
                .satisfies(d -> assertThat(d.column()).isNull());
    }
}
