package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Issue 11: everyday mistakes on the command line get one line naming the cause and the fix, never a stack trace. */
class EverydayMistakesTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(CommandLine commandLine, String... args) {
        commandLine.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"60", "abc", "1.5s", "", "-5s", "0s", "5 parsecs"})
    void aDurationThatIsNotOneIsRefusedInOneLine(String value) {
        int exit = run(Main.commandLine(), "demo", "--duration", value);

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--duration").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(err.toString().lines()).hasSizeLessThanOrEqualTo(2);
    }

    @Test
    void theCommandLineReadsDurationsAsTheConfigurationDoes() {
        Converters.PositiveDuration durations = new Converters.PositiveDuration();
        assertThat(durations.convert("PT5S")).isEqualTo(Duration.ofSeconds(5));
        assertThat(durations.convert("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> durations.convert("0ms")).hasMessageContaining("not positive");
    }

    @Test
    void aPortOutOfRangeAndAUrlThatIsNotOneAreRefused() {
        assertThat(run(Main.commandLine(), "sim", "--port", "99999")).isEqualTo(2);
        assertThat(run(Main.commandLine(), "status", "--url", "not-a-url")).isEqualTo(2);

        assertThat(err.toString()).contains("'99999' is not a port").contains("'not-a-url' is not an http(s) URL")
                .doesNotContain("\tat ");
    }

    @Test
    void aNegativeHistoryIsRefused() {
        assertThat(run(Main.commandLine(), "demo", "--history", "-3")).isEqualTo(1);
        assertThat(err.toString()).startsWith("--history:").doesNotContain("\tat ");
    }

    @Test
    void connectPowerBiWithoutAConfigurationFileSaysWhichFile() {
        int exit = run(Main.commandLine(), "connect", "powerbi", "--config", "/nonexistent/ml-connector.yaml");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("/nonexistent/ml-connector.yaml").doesNotContain("\tat ");
        assertThat(err.toString().lines()).hasSize(1);
    }

    @Test
    void backfillExplainAndReplayMistakesAreOneLineBeforeAnyServiceIsCalled() {
        // No connector runs at this URL: each mistake is caught before a request would fail.
        String url = "http://127.0.0.1:9";
        assertThat(run(Main.commandLine(), "backfill", "--tables", "invoices,widgets", "--url", url)).isEqualTo(2);
        assertThat(run(Main.commandLine(), "backfill", "--since", "last week", "--url", url)).isEqualTo(2);
        assertThat(run(Main.commandLine(), "backfill", "--push-wait", "0s", "--url", url)).isEqualTo(2);
        assertThat(run(Main.commandLine(), "explain", "invoices", "--url", url)).isEqualTo(2);
        assertThat(run(Main.commandLine(), "replay", "--from", "yesterday", "--url", url)).isEqualTo(2);
        assertThat(run(Main.commandLine(), "replay", "--dead-letters", "--table", "invoices", "--url", url)).isEqualTo(2);

        assertThat(err.toString()).contains("--tables: no FreshBooks records 'widgets'; give some of: invoices,payments,",
                        "--since", "--push-wait", "Missing required parameter: 'ID'", "'yesterday' is not a time",
                        "--dead-letters re-queues")
                .doesNotContain("\tat ").doesNotContain("no connector answers");
    }

    @Test
    void webhooksWithoutASubcommandShowsItsUsage() {
        assertThat(run(Main.commandLine(), "webhooks")).isZero();
        assertThat(out.toString()).contains("list", "repair");
    }

    @Test
    void helpIsACommand() {
        assertThat(run(Main.commandLine(), "help")).isZero();
        assertThat(out.toString()).contains("Usage: mlc").contains("demo");
    }

    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            throw new IllegalStateException("wrapped", new BindException("Address already in use"));
        }
    }

    @Test
    void anUnexpectedFailureIsOneLineAndTheTraceOnlyWithVerbose() {
        CommandLine quiet = Main.commandLine().addSubcommand("boom", new Boom());
        assertThat(run(quiet, "boom")).isEqualTo(1);
        assertThat(err.toString()).contains("A port is already in use").contains("server.port")
                .contains("--verbose").doesNotContain("\tat ");

        err.getBuffer().setLength(0);
        CommandLine verbose = Main.commandLine().addSubcommand("boom", new Boom());
        assertThat(run(verbose, "boom", "--verbose")).isEqualTo(1);
        assertThat(err.toString()).contains("A port is already in use").contains("\tat ");
    }

    @Test
    void aStoreHeldByAnotherProcessNamesTheKey() {
        SQLException locked = new SQLException("Database may be already in use", "90020", 90020);
        assertThat(Mistakes.explain(new RuntimeException(locked))).contains("another process").contains("store.jdbc-url");
        assertThat(Mistakes.explain(new IllegalArgumentException("odd\nsecond line"))).isEqualTo("Failed: IllegalArgumentException: odd");
    }
}
