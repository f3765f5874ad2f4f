package io.mlconnector.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static IngestBench.Point point(String target, String store, int connections, double rate, double p99, long stored) {
        return new IngestBench.Point(target, store, 1, connections,
                new Wrk.Result((long) (rate * 10), 10, rate, 1, p99, p99 * 2, 0, 0), stored, 200, Duration.ofSeconds(3),
                new JitWarmUp.Warm(Duration.ofSeconds(20), true));
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
        List<Duration> fast = List.of(Duration.ofMillis(300), Duration.ofMillis(900));
        List<Duration> slow = List.of(Duration.ofMillis(2_000), Duration.ofMillis(4_000));
        String md = Report.markdown(new Report.Results(new Machine("cpu", 2, 4096, "Linux", "Java 17", "wrk 4.1.0", "abc123"),
                ZonedDateTime.parse("2026-12-02T06:00:00Z"), Duration.ofSeconds(10), points, Duration.ofMillis(2100),
                List.of(new FreshnessBench.Point(1, 1.0, 20, new Freshness.Result(fast, 0), new Freshness.Result(slow, 0),
                                Duration.ofSeconds(15), 4, Duration.ofSeconds(2)),
                        new FreshnessBench.Point(50, 48.0, 960, new Freshness.Result(slow, 3), new Freshness.Result(fast, 0),
                                Duration.ofSeconds(15), 6, Duration.ofSeconds(3))),
                new BackfillBench.Result(20_000, 70_000, Duration.ofSeconds(240),
                        List.of(new BackfillBench.TablePosts("invoices", 20_000, 3), new BackfillBench.TablePosts("invoice_lines", 50_000, 6))),
                new CoalescingBench.Result(100, 100, 1, 2, 6, Duration.ofSeconds(2)),
                new NaiveBaseline.Result(Duration.ofSeconds(60), 200, 120, 80)));
        assertThat(md).contains("| H2, 16 connections: ≥ 5,000 webhooks/s | 8000/s | yes |")
                .contains("| H2, 16 connections: ≥ 0.6 of the fsynced ceiling | 0.80 | yes |")
                .contains("| H2, 64 connections: p99 < 50 ms | 60.00 ms | **no** |")
                .contains("| H2, 64 connections: every 204 stored | 59000 of 60000 | **no** |")
                .contains("| 100 webhooks for one record → 1 fetch | 1 fetch(es) | yes |")
                .contains("| `mlc serve` started → first webhook answered 204 (H2) | 2100 ms |")
                .contains("| Freshness p99 < 2 s at 1 event/s (facts) | 900 ms | yes |")
                .contains("| Freshness p99 within 1.5× the quota bound at 50 events/s (facts) | 4000 ms, bound 3000 ms | yes |")
                .contains("| 1/s | 1.0 | 20 | 300 ms | 900 ms | 900 ms | 0 | 4 | 2000 ms | 0.45 | 2 | 4000 ms | 4000 ms | 15 s |")
                .contains("| Backfill ≥ 90% of 1,000,000 rows/h | 1.05 | yes |") // 70,000 rows in 4 min
                .contains("| Backfill POSTs within 5% of the least possible | 9 of 7 | **no** |")
                .contains("7,200 rows an hour") // 120 rows a minute
                .contains("**146×** the naive rate");
    }
}
