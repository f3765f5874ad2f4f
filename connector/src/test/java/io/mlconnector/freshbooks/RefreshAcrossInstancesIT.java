package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.pipeline.PipelineJson;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.sim.freshbooks.FreshBooksConfig;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.store.Database;
import io.mlconnector.store.OAuthGrant;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.SecretBox;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.Tenant.TenantStatus;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import io.mlconnector.store.TokenGrant;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two connector instances on one PostgreSQL share a FreshBooks grant whose refresh token is single use (the
 * simulator answers reuse with invalid_grant): each instance has its own pool, OAuth client and token store,
 * as two processes would.
 */
class RefreshAcrossInstancesIT {
    private static final String REDIRECT = FreshBooksConfig.DEMO_REDIRECT_URIS.get(0);
    private static final long OWNER = FreshBooksConfig.DEMO_OWNER.identityId();
    private static final String GRANT = OAuthGrant.forIdentity(OWNER);
    private static final String ACME = FreshBooksConfig.DEMO_ACME.accountId();
    private static final String GLOBEX = FreshBooksConfig.DEMO_GLOBEX.accountId();
    private static final String TOKEN_PATH = "/auth/oauth/token";

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(Instant.parse("2026-03-02T15:00:00Z"));
    FreshBooksSimulator sim;
    Instance a;
    Instance b;

    /** One connector process's view of the store and of FreshBooks. */
    final class Instance implements AutoCloseable {
        final Database database;
        final TenantRepository tenants;
        final OAuthGrantRepository grants;
        final FreshBooksOAuthClient oauth;
        final TenantTokens tokens;

        Instance(ConnectorConfig.Store store) {
            URI base = URI.create(sim.baseUrl());
            database = Database.open(store);
            tenants = new TenantRepository(database, clock);
            grants = new OAuthGrantRepository(database, SecretBox.open(dir.resolve("keyset.json")), clock);
            oauth = new FreshBooksOAuthClient(base, base, FreshBooksConfig.DEMO_CLIENT_ID,
                    FreshBooksConfig.DEMO_CLIENT_SECRET, URI.create(REDIRECT), List.of(), clock);
            tokens = new TenantTokens(grants, tenants, oauth, clock);
        }

        @Override
        public void close() {
            database.close();
        }
    }

    @BeforeEach
    void twoInstancesOneGrant() {
        sim = new FreshBooksSimulator(FreshBooksConfig.demo(), clock).start(0);
        ConnectorConfig.Store store = TestDatabases.postgresConfig();
        a = new Instance(store);
        b = new Instance(store);
        FreshBooksApiClient api = new FreshBooksApiClient(HttpClient.newHttpClient(), URI.create(sim.baseUrl()),
                Duration.ofSeconds(10), PipelineJson.mapper());
        String code = sim.mintAuthorizationCode(FreshBooksConfig.DEMO_CLIENT_ID, REDIRECT, null, OWNER);
        assertThat(new Onboarding(a.oauth, api, a.tenants, a.tokens).connect(code))
                .extracting(Tenant::tenantId).containsExactly(ACME, GLOBEX);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        sim.close();
    }

    @Test
    void concurrentCallersOnBothInstancesRefreshOnce() throws Exception {
        String before = a.tokens.accessToken(ACME);
        assertThat(b.tokens.accessToken(GLOBEX)).isEqualTo(before);
        clock.advance(Duration.ofHours(13)); // expired
        // The first token call is kept in flight until the other instance is waiting for the grant's row lock.
        CountDownLatch release = new CountDownLatch(1);
        sim.apiFaults().add(FaultInjector.Rule.hold(release).onPathsContaining(TOKEN_PATH));

        int callers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 0; i < callers; i++) {
                TenantTokens tokens = i % 2 == 0 ? a.tokens : b.tokens;
                String tenant = i % 4 < 2 ? ACME : GLOBEX;
                results.add(pool.submit(() -> {
                    start.await();
                    return tokens.accessToken(tenant);
                }));
            }
            start.countDown();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(tokenCalls()).as("token calls").isEqualTo(1);
                assertThat(lockWaiters()).as("sessions waiting for a lock").isEqualTo(1);
            });
            release.countDown();
            List<String> handedOut = new ArrayList<>();
            for (Future<String> result : results) {
                handedOut.add(result.get(30, TimeUnit.SECONDS));
            }

            assertThat(tokenCalls()).isEqualTo(1);
            assertThat(handedOut).hasSize(callers).containsOnly(handedOut.get(0)).doesNotContain(before);
            assertThat(b.grants.find(GRANT).orElseThrow().version()).isEqualTo(2);
            assertThat(b.tenants.list()).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
            // The stored refresh token is the live one: the next refresh, from either instance, works.
            clock.advance(Duration.ofHours(13));
            assertThat(b.tokens.accessToken(GLOBEX)).isNotEqualTo(handedOut.get(0)).isEqualTo(a.tokens.accessToken(ACME));
            assertThat(tokenCalls()).isEqualTo(2);
            assertThat(a.tenants.list()).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void anInstanceWithAStaleCopyDoesNotSpendTheRotatedToken() {
        String before = a.tokens.accessToken(ACME);
        clock.advance(Duration.ofHours(13));
        String rotated = a.tokens.accessToken(ACME);

        // b got a 401 for the token it read before a refreshed: it takes the stored one, with no token call.
        sim.apiFaults().add(FaultInjector.Rule.latency(1.0, Duration.ZERO).onPathsContaining(TOKEN_PATH)); // counts calls
        assertThat(b.tokens.refreshAfterRejection(GLOBEX, before)).isEqualTo(rotated);
        assertThat(tokenCalls()).isZero();
        assertThat(b.tenants.list()).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
    }

    @Test
    void aRefreshWaitsNoLongerThanItsBoundForAnotherInstancesLock() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService holder = Executors.newSingleThreadExecutor();
        try {
            // Instance a holds the lock with a token call that does not return until released.
            Future<OAuthGrant> slow = holder.submit(() -> a.grants.refreshLocked(GRANT, Duration.ofSeconds(10), g -> true, g -> {
                awaitQuietly(release);
                return new TokenGrant("access-2", "refresh-2", clock.instant().plus(Duration.ofHours(12)), null);
            }).orElseThrow());
            await().atMost(Duration.ofSeconds(10)).until(() -> idleInTransaction() == 1);

            assertThatThrownBy(() -> b.grants.refreshLocked(GRANT, Duration.ofSeconds(1), g -> true, g -> {
                throw new AssertionError("called FreshBooks without the lock");
            })).isInstanceOf(OAuthGrantRepository.GrantBusyException.class).hasMessageContaining(GRANT);

            release.countDown();
            assertThat(slow.get(10, TimeUnit.SECONDS).refreshToken()).isEqualTo("refresh-2");
            assertThat(b.grants.find(GRANT).orElseThrow().version()).isEqualTo(2);
        } finally {
            release.countDown();
            holder.shutdownNow();
        }
    }

    @Test
    void aNewPairWhoseCommitFailsIsWrittenAgainInPlaceAndItsTenantsWork() {
        OAuthGrant stored = a.grants.find(GRANT).orElseThrow();
        TokenGrant issued = new TokenGrant("access-2", "refresh-2", clock.instant().plus(Duration.ofHours(12)), null);

        OAuthGrant after = a.grants.refreshLocked(GRANT, Duration.ofSeconds(10), g -> true, g -> {
            // The connection holding the lock dies while the token call is out: its transaction cannot commit.
            List<Boolean> terminated = b.database.jdbi().withHandle(h -> h.createQuery("SELECT pg_terminate_backend(pid)"
                    + " FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'")
                    .mapTo(Boolean.class).list());
            assertThat(terminated).containsExactly(true);
            // Before the pair is written again, without the lock, instance b spends the old refresh token and
            // FreshBooks refuses it: b marks the grant dead at the version still stored.
            assertThat(b.tenants.setStatusForGrant(GRANT, stored.version(), TenantStatus.NEEDS_REAUTHORIZATION, "refused"))
                    .isEqualTo(2);
            return issued;
        }).orElseThrow();

        assertThat(after.version()).isEqualTo(stored.version() + 1);
        assertThat(b.tenants.list()).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
        assertThat(b.grants.find(GRANT).orElseThrow().tokens()).isEqualTo(after.tokens());
        assertThat(after.refreshToken()).isEqualTo("refresh-2");
    }

    private long tokenCalls() {
        return sim.apiFaults().injected().stream().filter(f -> f.path().equals(TOKEN_PATH)).count();
    }

    /** Sessions of this test's database waiting for a lock (the other instance's SELECT ... FOR UPDATE). */
    private int lockWaiters() {
        return a.database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event_type = 'Lock'").mapTo(Integer.class).one());
    }

    private int idleInTransaction() {
        return a.database.jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND state = 'idle in transaction'").mapTo(Integer.class).one());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
