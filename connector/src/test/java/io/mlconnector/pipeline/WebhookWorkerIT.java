package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.freshbooks.FreshBooksException;
import io.mlconnector.freshbooks.InvalidGrantException;
import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.store.Database;
import io.mlconnector.store.InboxEvent;
import io.mlconnector.store.InboxRepository;
import io.mlconnector.store.Tenant.TenantStatus;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * The webhook worker's retry state in the store, on H2 and PostgreSQL, with a fake FreshBooks and a clock the test
 * moves: a record that keeps failing is dead-lettered after {@code pipeline.dead-letter-after} attempts with its
 * reason, while other tenants' records keep flowing, and a replay makes it due again; a tenant that needs
 * reauthorization costs no attempt; a record claimed by an instance that died is processed once the claim lapses, or
 * at once by an instance started again under its name (and on H2, whose file one process opens, by any).
 */
class WebhookWorkerIT {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int DEAD_LETTER_AFTER = 3;
    /** Backoff's jitter at its ceiling, so a failed record is never due again before the test moves the clock. */
    private static final RandomGenerator LONGEST_WAIT = new RandomGenerator() {
        @Override
        public long nextLong() {
            return Long.MAX_VALUE;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @TempDir
    Path dir;
    final MutableClock clock = new MutableClock(NOW);
    final Map<RecordKey, Integer> fetches = new ConcurrentHashMap<>();
    final Set<RecordKey> failing = ConcurrentHashMap.newKeySet();
    final Set<String> revoked = ConcurrentHashMap.newKeySet();
    final AtomicLong stamps = new AtomicLong();
    Database database;
    InboxQueue queue;
    TenantRepository tenants;
    WebhookWorker worker;

    @AfterEach
    void close() {
        if (worker != null) {
            worker.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private void open(String store) {
        database = store.equals("h2") ? TestDatabases.h2(dir) : TestDatabases.postgres();
        queue = new InboxQueue(database, Duration.ofSeconds(2), Duration.ofSeconds(20));
        tenants = new TenantRepository(database, clock);
        for (String tenant : List.of("t1", "t2", "t3")) {
            tenants.upsertFromDiscovery(tenant, tenant.hashCode(), "uuid-" + tenant, "Business " + tenant, null);
        }
        var json = PipelineJson.mapper();
        RecordApplier applier = new RecordApplier(database.jdbi(), MapperRegistry.standard(), new SignedRowLedger(json),
                json, clock);
        worker = new WebhookWorker(queue, this::fetch, applier, "default", clock,
                new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), LONGEST_WAIT),
                new WebhookWorker.Claims("worker-1", LEASE, DEAD_LETTER_AFTER), 2);
    }

    /** FreshBooks, as far as the worker sees it: a payment per record, a 500 for failing ones, invalid_grant once. */
    private FetchedRecord fetch(RecordKey key) {
        fetches.merge(key, 1, Integer::sum);
        if (revoked.remove(key.tenantId())) { // as TenantTokens does on invalid_grant
            tenants.setStatus(key.tenantId(), TenantStatus.NEEDS_REAUTHORIZATION, "FreshBooks refused the refresh token");
            throw new InvalidGrantException("tenant " + key.tenantId() + " needs reauthorization");
        }
        if (failing.contains(key)) {
            throw new FreshBooksException(500, "FreshBooks answered 500 to GET /accounting/account/" + key.tenantId()
                    + "/payments/payments/" + key.objectId() + ":\n  Internal Server Error", true);
        }
        ObjectNode payment = (ObjectNode) FreshBooksFixtures.json(FreshBooksFixtures.PAYMENT);
        payment.put("id", Long.parseLong(key.objectId())).put("logid", Long.parseLong(key.objectId()));
        return FetchedRecord.found(payment, stamps.incrementAndGet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRecordFailingKTimesIsDeadLetteredWhileOthersFlowAndAReplayMakesItDueAgain(String store) {
        open(store);
        RecordKey sick = payment("t1", 1);
        failing.add(sick);
        event(sick);
        event(payment("t2", 2));

        for (int attempt = 1; attempt <= DEAD_LETTER_AFTER; attempt++) {
            RecordKey healthy = payment("t2", 100 + attempt);
            event(healthy);
            round();
            assertThat(fetches.get(sick)).isEqualTo(attempt);
            assertThat(pending(healthy)).as("another tenant's record, attempt %d", attempt).isZero();
            assertThat(pending(payment("t2", 2))).isZero();
            clock.advance(Duration.ofSeconds(2)); // past the backoff (at most 1 s here)
        }
        assertThat(pending(sick)).as("a dead letter's events stay in the inbox").isEqualTo(1);
        InboxQueue.DeadLetters letters = queue.deadLetters(5);
        assertThat(letters.count()).isEqualTo(1);
        assertThat(letters.newest()).singleElement().satisfies(letter -> {
            assertThat(letter.tenantId()).isEqualTo("t1");
            assertThat(letter.record()).isEqualTo("payment:1");
            assertThat(letter.attempts()).isEqualTo(DEAD_LETTER_AFTER);
            assertThat(letter.reason()).as("one line").isEqualTo(
                    "FreshBooks answered 500 to GET /accounting/account/t1/payments/payments/1: Internal Server Error");
            assertThat(letter.fix()).isEqualTo("mlc replay --tenant t1 --record payment:1");
        });

        clock.advance(Duration.ofHours(1));
        RecordKey later = payment("t2", 200);
        event(later);
        event(sick); // a new webhook for a dead letter does not revive it: a replay does
        round();
        assertThat(pending(later)).isZero();
        assertThat(fetches.get(sick)).as("a dead letter is not fetched").isEqualTo(DEAD_LETTER_AFTER);

        failing.clear(); // the cause is fixed
        assertThat(queue.requeueDeadLetters("t1")).isEqualTo(1);
        round();
        assertThat(fetches.get(sick)).isEqualTo(DEAD_LETTER_AFTER + 1);
        assertThat(pending(sick)).isZero();
        assertThat(queue.deadLetterCount()).isZero();
        assertThat(count("SELECT COUNT(*) FROM inbox_work")).as("no retry state left").isZero();
        assertThat(count("SELECT COUNT(*) FROM ledger_entry WHERE tenant_id = 't1'")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aTenantThatNeedsReauthorizationCostsNoAttempt(String store) {
        open(store);
        RecordKey key = payment("t3", 3);
        revoked.add("t3");
        event(key);
        round();
        assertThat(fetches.get(key)).isEqualTo(1);
        assertThat(pending(key)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM inbox_work WHERE attempts > 0 OR claimed_by IS NOT NULL"))
                .as("no attempt counted, the claim given back").isZero();
        assertThat(queue.due(clock.instant(), 10)).as("not due while it needs reauthorization").isEmpty();

        tenants.setStatus("t3", TenantStatus.ACTIVE, null); // reconnected
        round();
        assertThat(fetches.get(key)).isEqualTo(2);
        assertThat(pending(key)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRecordClaimedByAKilledInstanceIsProcessedOnceItsClaimLapses(String store) {
        open(store);
        RecordKey key = payment("t2", 5);
        event(key);
        assertThat(queue.claim("killed-instance", clock.instant(), LEASE, 10)).hasSize(1);

        worker.dispatchDue();
        assertThat(fetches).as("claimed elsewhere").isEmpty();

        clock.advance(LEASE.plusSeconds(1));
        round();
        assertThat(fetches.get(key)).isEqualTo(1);
        assertThat(pending(key)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anInstanceStartingAgainTakesBackWhatAKilledRunLeftAtOnce(String store) {
        open(store);
        RecordKey mine = payment("t2", 6);
        RecordKey another = payment("t3", 7);
        event(mine);
        event(another);
        assertThat(queue.claim("worker-1", clock.instant(), LEASE, 1)).as("left by a killed run of this instance")
                .extracting(InboxQueue.Claim::key).containsExactly(mine);
        assertThat(queue.claim("instance-2", clock.instant(), LEASE, 1)).as("left by another instance")
                .extracting(InboxQueue.Claim::key).containsExactly(another);

        worker.start(Duration.ofMinutes(10)); // one dispatch now, the next much later; the clock stands still
        await().atMost(Duration.ofSeconds(20)).until(() -> pending(mine) == 0);
        if (store.equals("h2")) { // one process only: whatever a previous process claimed, it is gone
            await().atMost(Duration.ofSeconds(20)).until(() -> pending(another) == 0);
        } else { // instance-2 may be alive: its claim lapses first
            assertThat(fetches).doesNotContainKey(another);
            assertThat(pending(another)).isEqualTo(1);
        }
        assertThat(fetches.get(mine)).isEqualTo(1);
    }

    /** One dispatch, and until its claims are all done (lanes run in their own threads). */
    private void round() {
        worker.dispatchDue();
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT COUNT(*) FROM inbox_work"
                + " WHERE claimed_by IS NOT NULL") == 0);
    }

    private static RecordKey payment(String tenant, long id) {
        return new RecordKey(tenant, "payment", String.valueOf(id));
    }

    private void event(RecordKey key) {
        database.jdbi().useTransaction(h -> new InboxRepository().insertBatch(h, List.of(new InboxEvent(
                clock.instant().minusSeconds(60), key.tenantId(), "token", key.objectType() + ".update",
                key.objectType(), key.objectId(), "{}"))));
    }

    private long pending(RecordKey key) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM inbox WHERE processed_at IS NULL"
                        + " AND tenant_id = :t AND object_type = :y AND object_id = :i")
                .bind("t", key.tenantId()).bind("y", key.objectType()).bind("i", key.objectId()).mapTo(Long.class).one());
    }

    private long count(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
