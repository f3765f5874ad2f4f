package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreH2IT extends StoreContract {

    @Override
    Database openDatabase(Path dir) {
        return TestDatabases.h2(dir);
    }

    @Override
    ConnectorConfig.Store emptyStore(Path dir) {
        return TestDatabases.h2Config(dir.resolve("empty"));
    }

    @Test
    void h2RunsWithItsDefaultWriteDelayWhateverTheUrlSays(@org.junit.jupiter.api.io.TempDir Path other) {
        // what is forced to disk does not depend on the delay; a delay of 0 left H2's file growing under load
        try (Database zero = Database.open(new ConnectorConfig.Store("jdbc:h2:file:" + other.resolve("zero").toAbsolutePath()
                + ";WRITE_DELAY=0", "sa", "", 2))) {
            for (Database db : java.util.List.of(database, zero)) {
                java.util.List<String> writeDelay = db.jdbi().withHandle(h -> h.createQuery(
                        "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")
                        .mapTo(String.class).list());
                assertThat(writeDelay).containsOnly(Integer.toString(SqlDialect.H2.WRITE_DELAY_MILLIS));
            }
        }
        assertThat(database.dialect().name()).isEqualTo("h2");
    }

    @Test
    void committedDataSurvivesReopening() {
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", null);
        database.close();

        database = openDatabase(dir);
        assertThat(new TenantRepository(database, clock).find("ACM123")).isPresent();
    }
}
