package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code mlc sim}'s and {@code mlc init}'s mistakes and help, without starting anything. */
class SimCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
    }

    @Test
    void aNegativeHistoryIsRefusedInOneLine() {
        assertThat(run("sim", "--history", "-3")).isEqualTo(1);
        assertThat(err.toString()).startsWith("--history:").doesNotContain("\tat ");
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void aConnectorUrlOrRedirectThatIsNotOneIsABadOption() {
        assertThat(run("sim", "--connector-url", "localhost:8080")).isEqualTo(2);
        assertThat(run("sim", "--redirect-uri", "/oauth/freshbooks/callback")).isEqualTo(2);
        assertThat(err.toString()).contains("'localhost:8080' is not an http(s) URL").contains("--redirect-uri")
                .doesNotContain("\tat ");
    }

    @Test
    void helpNamesTheOptionsANewcomerNeeds() {
        assertThat(run("help", "sim")).isZero();
        assertThat(run("init", "--help")).isZero();
        assertThat(out.toString()).contains("--write-config", "--history", "--activity", "--redirect-uri", "--connector-url",
                "--force", "--keyset-path", "Exit 0 when written");
    }
}
