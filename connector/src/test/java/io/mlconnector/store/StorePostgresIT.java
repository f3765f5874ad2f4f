package io.mlconnector.store;

import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Path;

class StorePostgresIT extends StoreContract {

    @Override
    Database openDatabase(Path dir) {
        return TestDatabases.postgres();
    }

    @Override
    ConnectorConfig.Store emptyStore(Path dir) {
        return TestDatabases.postgresConfig();
    }
}
