package io.mlconnector.powerbi;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.powerbi.PostRowsRecord;
import io.mlconnector.sim.powerbi.PushLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** POST rows outcomes the pusher acts on, produced by the Power BI simulator's quotas and fault injector. */
class PostRowsQuotaIT {

    private static final String WORKSPACE = SimulatedPowerBi.WORKSPACE;
    private static final DatasetModel MODEL = DatasetModel.freshBooks("FreshBooks");

    private SimulatedPowerBi sims;
    private PushDatasetClient client;
    private String datasetId;

    private void start(PushLimits limits) {
        sims = new SimulatedPowerBi(limits);
        client = sims.client(sims.tokenSource());
        datasetId = new DatasetProvisioner(client, RetentionPolicy.NONE).ensure(WORKSPACE, MODEL).datasetId();
    }

    @AfterEach
    void stop() {
        if (sims != null) {
            sims.close();
        }
    }

    @Test
    void the121stPostWithinAMinuteIsThrottledWithTheSimulatorsRetryAfter() {
        start(PushLimits.DOCUMENTED);
        Instant first = sims.serviceClock.instant();
        for (long i = 0; i < 120; i++) { // one every 250 ms: the last at +29.75 s
            sims.serviceClock.set(first.plusMillis(250 * i));
            assertThat(post(i)).as("post %d", i).isInstanceOf(PostRowsResult.Accepted.class);
        }

        sims.serviceClock.set(first.plusMillis(40_300));
        PostRowsResult throttled = post(120);

        // The oldest accepted POST (at +0) leaves the one-minute window at +60 s: 19.7 s away, rounded up to 20.
        PostRowsRecord logged = last(sims.postRowsLog());
        assertThat(logged.status()).isEqualTo(429);
        assertThat(logged.retryAfterSeconds()).isEqualTo(20);
        assertThat(throttled).isInstanceOfSatisfying(PostRowsResult.Throttled.class, t -> {
            assertThat(t.retryAfter()).isEqualTo(Duration.ofSeconds(logged.retryAfterSeconds()));
            assertThat(t.requestId()).isEqualTo(logged.requestId());
        });
        assertThat(sims.powerBi.rows(datasetId, "clients")).hasSize(120);

        sims.serviceClock.advance(Duration.ofSeconds(20));
        assertThat(post(120)).as("after exactly Retry-After").isInstanceOf(PostRowsResult.Accepted.class);
    }

    @Test
    void rowsPerHourQuotaGivesTheWaitUntilEnoughRowsLeaveTheHour() {
        start(PushLimits.DOCUMENTED.withRowsPerHour(10));
        assertThat(post(LongStream.range(0, 6))).isInstanceOf(PostRowsResult.Accepted.class);
        sims.serviceClock.advance(Duration.ofMinutes(10));

        PostRowsResult throttled = post(LongStream.range(6, 12));

        assertThat(throttled).isInstanceOfSatisfying(PostRowsResult.Throttled.class,
                t -> assertThat(t.retryAfter()).isEqualTo(Duration.ofMinutes(50)));
        assertThat(last(sims.postRowsLog()).retryAfterSeconds()).isEqualTo(3000);
    }

    @Test
    void aServerErrorHasAnUnknownOutcomeAndWritesNothing() {
        start(PushLimits.DOCUMENTED);
        sims.powerBiFaults.add(FaultInjector.Rule.serverError(1.0, 503).onPathsContaining("/rows"));

        PostRowsResult result = post(1);

        assertThat(result).isInstanceOfSatisfying(PostRowsResult.Unknown.class, failed -> {
            assertThat(failed.status()).isEqualTo(503);
            assertThat(failed.reason()).contains("ServiceUnavailable");
            assertThat(failed.requestId()).isNotBlank();
        });
        assertThat(sims.powerBi.rows(datasetId, "clients")).isEmpty();

        sims.powerBiFaults.clear();
        assertThat(post(1)).isInstanceOf(PostRowsResult.Accepted.class);
    }

    private PostRowsResult post(long clientId) {
        return post(LongStream.of(clientId));
    }

    private PostRowsResult post(LongStream clientIds) {
        List<Map<String, Object>> rows = clientIds.mapToObj(id -> DatasetModel.CLIENTS.newRow(Long.toString(id))
                .set("tenant", "ACM123")
                .set("client_id", id)
                .set("client_key", "ACM123|" + id)
                .build()
                .toPushJson(1, sims.serviceClock.instant(), "batch-" + id)).toList();
        return client.postRows(WORKSPACE, datasetId, "clients", rows);
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }
}
