package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.pipeline.InboxQueue.Claim;
import io.mlconnector.pipeline.InboxQueue.DueRecord;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.store.Database;
import io.mlconnector.store.InboxEvent;
import io.mlconnector.store.InboxRepository;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inbox work claimed in the store (DESIGN §6), on H2 and PostgreSQL: two claimers never hold one record; a lapsed
 * claim is taken over and its former holder can no longer touch it; a record that gets events while claimed is
 * due once more after its claimer; records backing off or dead-lettered never crowd out due ones; each tenant
 * gets its turn; dead letters are listed and queued again.
 */
class InboxQueueIT {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(NOW);
    final List<Database> databases = new ArrayList<>();
    Database database;
    InboxQueue queue;

    @AfterEach
    void close() {
        databases.forEach(Database::close);
    }

    /** The store, and a second pool on the same database (PostgreSQL; H2 is one process's file, so the same pool). */
    private Database open(String store) {
        ConnectorConfig.Store config = store.equals("h2") ? TestDatabases.h2Config(dir) : TestDatabases.postgresConfig();
        database = Database.open(config);
        databases.add(database);
        queue = new InboxQueue(database, QUIET, QUIET.multipliedBy(10));
        TenantRepository tenants = new TenantRepository(database, clock);
        for (String tenant : List.of("t1", "t2", "t3")) {
            tenants.upsertFromDiscovery(tenant, tenant.hashCode(), "uuid-" + tenant, "Business " + tenant, null);
        }
        return store.equals("h2") ? database : track(Database.open(config));
    }

    private Database track(Database other) {
        databases.add(other);
        return other;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void twoClaimersNeverHoldTheSameRecord(String store) throws Exception {
        Database second = open(store);
        List<RecordKey> records = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            RecordKey key = new RecordKey("t" + (1 + i % 3), "invoice", String.valueOf(i));
            records.add(key);
            for (int e = 0; e <= i % 3; e++) {
                event(key, NOW.minusSeconds(60));
            }
        }
        Set<RecordKey> held = ConcurrentHashMap.newKeySet();
        Map<RecordKey, Integer> completions = new ConcurrentHashMap<>();
        List<RecordKey> heldTwice = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> claimers = new ArrayList<>();
            for (Database pool : List.of(database, second)) {
                String me = "instance-" + claimers.size();
                InboxQueue mine = new InboxQueue(pool, QUIET, QUIET.multipliedBy(10));
                claimers.add(threads.submit(() -> {
                    go.await();
                    int claimed = 0;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (mine.pendingCount() > 0 && System.nanoTime() < deadline) {
                        for (Claim claim : mine.claim(me, NOW, LEASE, 5)) {
                            claimed++;
                            if (!held.add(claim.key())) {
                                heldTwice.add(claim.key());
                            }
                            pool.jdbi().useTransaction(h -> mine.completed(h, claim, mine.pendingEventIds(claim.key()), NOW));
                            completions.merge(claim.key(), 1, Integer::sum);
                            held.remove(claim.key());
                        }
                    }
                    return claimed;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> claimer : claimers) {
                total += claimer.get(90, TimeUnit.SECONDS);
            }
            assertThat(heldTwice).as("records two claimers held at once").isEmpty();
            assertThat(completions).as("each record claimed and completed once").hasSize(records.size())
                    .allSatisfy((key, times) -> assertThat(times).as("%s", key).isEqualTo(1));
            assertThat(total).isEqualTo(records.size());
            assertThat(queue.pendingCount()).isZero();
            assertThat(count("SELECT COUNT(*) FROM inbox_work")).as("claims end with the record").isZero();
        } finally {
            threads.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aLapsedClaimIsTakenOverAndItsFormerHolderCanNoLongerTouchIt(String store) {
        Database second = open(store);
        InboxQueue other = new InboxQueue(second, QUIET, QUIET.multipliedBy(10));
        RecordKey key = new RecordKey("t1", "invoice", "42");
        event(key, NOW.minusSeconds(60));

        Claim dead = queue.claim("killed", NOW, LEASE, 10).get(0); // its instance dies without a word
        assertThat(other.claim("alive", NOW.plus(LEASE).minusSeconds(1), LEASE, 10)).as("claimed until then").isEmpty();

        Instant later = NOW.plus(LEASE).plusSeconds(1);
        List<Claim> taken = other.claim("alive", later, LEASE, 10);
        assertThat(taken).singleElement().satisfies(c -> {
            assertThat(c.key()).isEqualTo(key);
            assertThat(c.token()).isGreaterThan(dead.token());
        });
        assertThat(queue.renew(List.of(dead), later.plus(LEASE))).as("renewal of a lapsed claim").isZero();
        assertThat(queue.failed(dead, 1, later, null, "late failure")).isFalse();
        queue.release(dead);
        assertThat(queue.claim("killed", later.plusSeconds(1), LEASE, 10)).as("still the taker's").isEmpty();
        assertThat(other.renew(taken, later.plus(LEASE.multipliedBy(2)))).isEqualTo(1);
        assertThat(queue.claim("killed", later.plus(LEASE).plusSeconds(1), LEASE, 10)).as("renewed").isEmpty();
        assertThat(count("SELECT COUNT(*) FROM inbox_work WHERE attempts > 0")).as("nothing the late one wrote").isZero();

        second.jdbi().useTransaction(h -> other.completed(h, taken.get(0), other.pendingEventIds(taken.get(0).key()), later));
        assertThat(queue.pendingCount()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aRecordThatGetsEventsWhileClaimedIsDueOnceMoreAfterItsClaimer(String store) {
        Database second = open(store);
        InboxQueue other = new InboxQueue(second, QUIET, QUIET.multipliedBy(10));
        RecordKey key = new RecordKey("t1", "invoice", "7");
        long first = event(key, NOW.minusSeconds(10));
        long burstEnd = event(key, NOW.minusSeconds(5));

        Claim a = queue.claim("a", NOW, LEASE, 10).get(0);
        assertThat(a.due()).isEqualTo(new DueRecord(key, first, burstEnd, 2));
        List<Long> covered = queue.pendingEventIds(key); // A's fetch starts
        long during = event(key, NOW.plusSeconds(1)); // arrives while A fetches
        assertThat(other.claim("b", NOW.plusSeconds(5), LEASE, 10)).as("not fetched by B at the same time").isEmpty();
        database.jdbi().useTransaction(h -> queue.completed(h, a, covered, NOW.plusSeconds(6)));

        assertThat(other.claim("b", NOW.plusSeconds(6), LEASE, 10)).as("after A, once quiet again").hasSize(1)
                .extracting(Claim::due).containsExactly(new DueRecord(key, during, during, 1));
        assertThat(queue.claim("a", NOW.plusSeconds(7), LEASE, 10)).as("one fetch for it").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anEventThatArrivesWhileTheClaimWaitsForItsFetchIsCoveredByThatFetch(String store) {
        open(store);
        RecordKey key = new RecordKey("t1", "invoice", "8");
        event(key, NOW.minusSeconds(10));
        Claim claim = queue.claim("a", NOW, LEASE, 10).get(0);
        long waiting = event(key, NOW.plusSeconds(1)); // stored while the claim waits in a lane

        List<Long> covered = queue.pendingEventIds(key); // the fetch starts: it reads the change behind both
        assertThat(covered).as("events the fetch covers").hasSize(2).contains(waiting);
        database.jdbi().useTransaction(h -> queue.completed(h, claim, covered, NOW.plusSeconds(2)));

        assertThat(queue.pendingCount()).as("events left pending").isZero();
        assertThat(queue.claim("a", NOW.plusSeconds(60), LEASE, 10)).as("no second fetch").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void recordsBackingOffOrDeadLetteredDoNotCrowdOutOthersAndEachTenantGetsItsTurn(String store) {
        open(store);
        List<RecordKey> t1 = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            RecordKey key = new RecordKey("t1", "payment", String.valueOf(i));
            t1.add(key);
            event(key, NOW.minusSeconds(600 - i));
        }
        // t1's 20 oldest fail: 10 back off for an hour, 10 are dead-lettered.
        for (Claim claim : queue.claim("a", NOW, LEASE, 20)) {
            int n = Integer.parseInt(claim.key().objectId());
            boolean dead = n >= 10;
            assertThat(queue.failed(claim, dead ? 10 : 3, dead ? null : NOW.plusSeconds(3600), dead ? NOW : null,
                    "FreshBooks answered 500")).isTrue();
        }
        RecordKey t2 = new RecordKey("t2", "payment", "1");
        event(t2, NOW.minusSeconds(60)); // newer than all of t1's

        assertThat(queue.due(NOW, 3)).extracting(DueRecord::key).as("fair and due")
                .containsExactly(t1.get(20), t2, t1.get(21));
        assertThat(queue.due(NOW.plusSeconds(3601), 1)).extracting(DueRecord::key).as("backed off long enough")
                .containsExactly(t1.get(0));
        assertThat(queue.due(NOW.plusSeconds(3601), 100)).extracting(DueRecord::key).as("dead letters are not due")
                .doesNotContainAnyElementsOf(t1.subList(10, 20)).hasSize(21);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void deadLettersAreListedNewestFirstAndARequeueMakesThemDueAgain(String store) {
        open(store);
        RecordKey one = new RecordKey("t1", "invoice", "1");
        RecordKey two = new RecordKey("t1", "invoice", "2");
        RecordKey three = new RecordKey("t2", "widget", "3");
        for (RecordKey key : List.of(one, two, three)) {
            event(key, NOW.minusSeconds(60));
        }
        for (Claim claim : queue.claim("a", NOW, LEASE, 10)) {
            int n = Integer.parseInt(claim.key().objectId());
            queue.failed(claim, 10, null, NOW.plusSeconds(n), "error " + n);
        }

        InboxQueue.DeadLetters letters = queue.deadLetters(2);
        assertThat(letters.count()).isEqualTo(3);
        assertThat(queue.deadLetterCount()).isEqualTo(3);
        assertThat(letters.newest()).containsExactly(
                new InboxQueue.DeadLetter("t2", "widget:3", 10, "error 3", NOW.plusSeconds(3),
                        "mlc replay --dead-letters --tenant t2"),
                new InboxQueue.DeadLetter("t1", "invoice:2", 10, "error 2", NOW.plusSeconds(2),
                        "mlc replay --tenant t1 --record invoice:2"));
        assertThat(queue.due(NOW.plusSeconds(60), 10)).isEmpty();

        assertThat(queue.requeue(two)).isTrue();
        assertThat(queue.requeueDeadLetters("t2")).isEqualTo(1);
        assertThat(queue.due(NOW.plusSeconds(60), 10)).extracting(DueRecord::key).containsExactlyInAnyOrder(two, three);
        assertThat(queue.claim("a", NOW.plusSeconds(60), LEASE, 10)).extracting(Claim::attempts).containsOnly(0);
        assertThat(queue.requeueDeadLetters(null)).isEqualTo(1);
        assertThat(queue.deadLetters(5)).isEqualTo(new InboxQueue.DeadLetters(0, List.of()));
    }

    /** Issue 11: what waits, split by why; the parts add up to the pending count, each with its own oldest. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void waitingEventsAreSplitByWhyAndAddUpToThePendingCount(String store) {
        open(store);
        RecordKey dead = new RecordKey("t1", "invoice", "1");
        RecordKey retrying = new RecordKey("t1", "invoice", "2");
        RecordKey queued = new RecordKey("t2", "invoice", "3");
        event(dead, NOW.minusSeconds(524));
        event(retrying, NOW.minusSeconds(100));
        event(queued, NOW.minusSeconds(5));
        event(queued, NOW.minusSeconds(1));
        for (Claim claim : queue.claim("a", NOW, LEASE, 10)) {
            if (claim.key().equals(dead)) {
                queue.failed(claim, 10, null, NOW, "gone for good");
            } else if (claim.key().equals(retrying)) {
                queue.failed(claim, 1, NOW.plusSeconds(60), null, "try later");
            } else {
                queue.release(claim);
            }
        }

        List<InboxQueue.WaitingEvents> waiting = queue.waiting(NOW);

        assertThat(waiting).containsExactly(
                new InboxQueue.WaitingEvents("dead_lettered", 1, NOW.minusSeconds(524)),
                new InboxQueue.WaitingEvents("queued", 2, NOW.minusSeconds(5)),
                new InboxQueue.WaitingEvents("retrying", 1, NOW.minusSeconds(100)));
        assertThat(waiting.stream().mapToLong(InboxQueue.WaitingEvents::count).sum()).isEqualTo(queue.pendingCount());
    }

    private long event(RecordKey key, Instant receivedAt) {
        database.jdbi().useTransaction(h -> new InboxRepository().insertBatch(h, List.of(new InboxEvent(receivedAt,
                key.tenantId(), "token", key.objectType() + ".update", key.objectType(), key.objectId(), "{}"))));
        return count("SELECT MAX(id) FROM inbox");
    }

    private long count(String sql) {
        return database.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }
}
