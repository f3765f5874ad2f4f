package io.mlconnector.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WrkTest {

    /** wrk 4.1.0's report with --latency, as printed here against the verify-only ceiling. */
    private static final String REPORT = """
            Running 15s test @ http://127.0.0.1:41235/
              2 threads and 64 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     4.12ms    6.31ms 213.40ms   93.55%
                Req/Sec     9.87k     1.02k   12.11k    71.33%
              Latency Distribution
                 50%    2.61ms
                 75%    4.02ms
                 90%    7.88ms
                 99%   31.07ms
              294512 requests in 15.01s, 21.37MB read
              Socket errors: connect 0, read 3, write 0, timeout 2
              Non-2xx or 3xx responses: 17
            Requests/sec:  19621.05
            Transfer/sec:      1.42MB
            """;

    @Test
    void readsThroughputPercentilesAndFailures() {
        Wrk.Result result = Wrk.parse(REPORT);
        assertThat(result.requests()).isEqualTo(294_512);
        assertThat(result.seconds()).isEqualTo(15.01);
        assertThat(result.requestsPerSecond()).isEqualTo(19_621.05);
        assertThat(result.p50Millis()).isEqualTo(2.61);
        assertThat(result.p99Millis()).isEqualTo(31.07);
        assertThat(result.maxMillis()).isEqualTo(213.40);
        assertThat(result.non2xx()).isEqualTo(17);
        assertThat(result.socketErrors()).isEqualTo(5);
        assertThat(result.succeeded()).isEqualTo(294_495);
    }

    @Test
    void aCleanRunHasNoFailureLines() {
        String clean = REPORT.replaceAll("(?m)^\\s+(Socket errors|Non-2xx).*\\n", "");
        Wrk.Result result = Wrk.parse(clean);
        assertThat(result.non2xx()).isZero();
        assertThat(result.socketErrors()).isZero();
    }

    @Test
    void convertsEveryUnitWrkPrints() {
        assertThat(Wrk.millis("812.00us")).isEqualTo(0.812);
        assertThat(Wrk.millis("1.25ms")).isEqualTo(1.25);
        assertThat(Wrk.millis("2.01s")).isCloseTo(2010.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Wrk.millis("1.50m")).isEqualTo(90_000.0);
        assertThatThrownBy(() -> Wrk.millis("3 ms")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReportWithoutLatencyIsRefusedNamingWhatIsMissing() {
        assertThatThrownBy(() -> Wrk.parse("Running 1s test\n")).hasMessageContaining("requests in");
    }
}
