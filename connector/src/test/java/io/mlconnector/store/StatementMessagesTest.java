package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import org.jdbi.v3.core.statement.StatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing statement's message names the statement, never its bound arguments (tokens, ciphertexts, names). */
class StatementMessagesTest {

    @TempDir
    Path dir;

    @Test
    void aFailedStatementsMessageCarriesNoBoundArgument() {
        try (Database database = TestDatabases.h2(dir)) {
            StatementException e = catchThrowableOfType(StatementException.class, () -> database.jdbi().useHandle(h ->
                    h.createUpdate("UPDATE callback SET no_such_column = :secret WHERE uri_token = :token")
                            .bind("secret", "refresh-token-value-123").bind("token", "callback-token-value-456").execute()));

            assertThat(e.getMessage()).contains("[statement: \"UPDATE callback SET no_such_column = :secret")
                    .doesNotContain("refresh-token-value-123").doesNotContain("callback-token-value-456");
        }
    }
}
