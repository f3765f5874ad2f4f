package io.mlconnector.bench;

import io.mlconnector.demo.DemoWorld;
import io.mlconnector.powerbi.PostRowsResult;
import io.mlconnector.powerbi.PowerBiConnection;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The naive baseline (issue 14, item 5): what per-event workflow tools do, one POST of one row per event, sent as
 * soon as the event comes and retried after {@code Retry-After} on a 429, against the same Power BI quota (the
 * simulator's documented 120 POSTs a minute per dataset). Events come faster than the quota, as in a backfill.
 */
final class NaiveBaseline {

    record Result(Duration ran, long posts, long rowsAccepted, long throttled) {
        double rowsPerHour() {
            return rowsAccepted * 3_600_000.0 / ran.toMillis();
        }
    }

    private NaiveBaseline() {}

    static Result run(Path dir, Duration duration) {
        try (DemoWorld world = DemoWorld.withoutConnector(DemoWorld.Options.defaults(dir), Clock.systemUTC())) {
            PowerBiConnection powerBi = PowerBiConnection.from(world.config().powerbi(), Clock.systemUTC());
            String workspace = world.config().powerbi().workspaceId();
            String datasetId = powerBi.provisioner().ensure(workspace, powerBi.model()).datasetId();
            long posts = 0;
            long accepted = 0;
            long throttled = 0;
            Instant start = Instant.now();
            while (Duration.between(start, Instant.now()).compareTo(duration) < 0) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("tenant", "ACM123");
                row.put("payment_id", posts + 1);
                row.put("sign", 1);
                posts++;
                PostRowsResult result = powerBi.client().postRows(workspace, datasetId, "payments", List.of(row));
                if (result instanceof PostRowsResult.Accepted) {
                    accepted++;
                } else if (result instanceof PostRowsResult.Throttled t) {
                    throttled++;
                    DemoWorld.pause(t.retryAfter() == null ? Duration.ofSeconds(1) : t.retryAfter());
                } else {
                    throw new IllegalStateException("the naive POST was refused: " + result);
                }
            }
            Result result = new Result(Duration.between(start, Instant.now()), posts, accepted, throttled);
            System.out.printf("  one row per POST for %d s: %d rows accepted (%d throttled) = %.0f rows/h%n",
                    result.ran().toSeconds(), accepted, throttled, result.rowsPerHour());
            return result;
        }
    }
}
