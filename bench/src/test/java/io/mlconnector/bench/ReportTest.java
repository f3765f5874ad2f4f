package io.mlconnector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static IngestBench.Point point(String target, String store, int connections, double rate, double p99, long stored) {
        return new IngestBench.Point(target, store, 1, connections,
                new Wrk.Result((long) (rate * 10), 10, rate, 1, p99, p99 * 2, 0, 0), stored, 200, Duration.ofSeconds(3));
    }

    private final List<IngestBench.Point> points = List.of(
            point("verify only", "-", 16, 20_000, 5, -1),
            point("verify + group commit", "H2", 16, 10_000, 20, -1),
            point("connector", "H2", 16, 8_000, 30, 80_000),
            point("connector", "H2", 64, 6_000, 60, 59_000));

    @Test
    void aFigureIsDividedByTheCeilingAtTheSameConnectionCount() {
        assertThat(Report.ratio(points.get(2), points, "verify only", "-")).hasValue(0.4);
        assertThat(Report.ratio(points.get(2), points, "verify + group commit", "H2")).hasValue(0.8);
        assertThat(Report.ratio(points.get(3), points, "verify + group commit", "H2")).isEmpty(); // no ceiling at 64
    }

    @Test
    void targetsAreJudgedFromTheFigures() {
        String md = Report.markdown(new Machine("cpu", 2, 4096, "Linux", "Java 17", "wrk 4.1.0", "abc123"),
                ZonedDateTime.parse("2026-12-02T06:00:00Z"), Duration.ofSeconds(10), points, Duration.ofMillis(2100),
                new CoalescingBench.Result(100, 100, 1, 2, 6, Duration.ofSeconds(2)));
        assertThat(md).contains("| H2, 16 connections: ≥ 5,000 webhooks/s | 8000/s | yes |")
                .contains("| H2, 16 connections: ≥ 0.6 of the fsynced ceiling | 0.80 | yes |")
                .contains("| H2, 64 connections: p99 < 50 ms | 60.00 ms | **no** |")
                .contains("| H2, 64 connections: every 204 stored | 59000 of 60000 | **no** |")
                .contains("| 100 webhooks for one record → 1 fetch | 1 fetch(es) | yes |")
                .contains("| `mlc serve` started → first webhook answered 204 (H2) | 2100 ms |");
    }
}
