package io.mlconnector.store;

import java.nio.file.Path;

class StorePostgresIT extends StoreContract {

    @Override
    Database openDatabase(Path dir) {
        return TestDatabases.postgres();
    }
}
