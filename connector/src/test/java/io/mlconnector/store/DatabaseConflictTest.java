package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseConflictTest {
    @Test
    void serializationFailuresAndDeadlocksAreConflictsWhereverTheyAreWrapped() {
        assertThat(Database.isConflict(new RuntimeException(new SQLException("deadlock", "40001")))).isTrue();
        assertThat(Database.isConflict(new IllegalStateException(new RuntimeException(new SQLException("pg", "40P01")))))
                .isTrue();
    }

    @Test
    void otherStoreErrorsAreNot() {
        assertThat(Database.isConflict(new RuntimeException(new SQLException("duplicate key", "23505")))).isFalse();
        assertThat(Database.isConflict(new RuntimeException("no SQL cause"))).isFalse();
    }
}
