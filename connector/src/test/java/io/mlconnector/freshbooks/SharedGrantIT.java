package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
 * One FreshBooks login, two businesses: both tenants live on one grant, against the simulator's OAuth server
 * (rotating single-use refresh tokens, reuse answered with invalid_grant) over real HTTP, on H2.
 */
class SharedGrantIT {
    private static final String REDIRECT = FreshBooksConfig.DEMO_REDIRECT_URIS.get(0);
    private static final long OWNER = FreshBooksConfig.DEMO_OWNER.identityId();
    private static final String ACME = FreshBooksConfig.DEMO_ACME.accountId();
    private static final String GLOBEX = FreshBooksConfig.DEMO_GLOBEX.accountId();

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(Instant.parse("2026-03-02T15:00:00Z"));
    FreshBooksSimulator sim;
    Database database;
    TenantRepository tenants;
    OAuthGrantRepository grants;
    FreshBooksApiClient api;
    TenantTokens tokens;
    Onboarding onboarding;

    @BeforeEach
    void connect() {
        sim = new FreshBooksSimulator(FreshBooksConfig.demo(), clock).start(0);
        URI base = URI.create(sim.baseUrl());
        FreshBooksOAuthClient oauth = new FreshBooksOAuthClient(base, base, FreshBooksConfig.DEMO_CLIENT_ID,
                FreshBooksConfig.DEMO_CLIENT_SECRET, URI.create(REDIRECT), List.of(), clock);
        api = new FreshBooksApiClient(HttpClient.newHttpClient(), base, Duration.ofSeconds(10), PipelineJson.mapper());
        database = TestDatabases.h2(dir);
        tenants = new TenantRepository(database, clock);
        grants = new OAuthGrantRepository(database, SecretBox.open(dir.resolve("keyset.json")), clock);
        tokens = new TenantTokens(grants, tenants, oauth, clock);
        onboarding = new Onboarding(oauth, api, tenants, tokens);

        List<Tenant> connected = onboarding.connect(code());
        assertThat(connected).extracting(Tenant::tenantId).containsExactly(ACME, GLOBEX);
    }

    @AfterEach
    void close() {
        sim.close();
        database.close();
    }

    @Test
    void tenantsOfOneIdentityShareOneGrant() {
        assertThat(tenants.list()).extracting(Tenant::grantId).containsOnly(OAuthGrant.forIdentity(OWNER));
        assertThat(grants.findForTenant(ACME)).isEqualTo(grants.findForTenant(GLOBEX));
        assertThat(tokens.accessToken(ACME)).isEqualTo(tokens.accessToken(GLOBEX));

        // The bug this replaces: one tenant's refresh spent the other's copy. Refresh through each in turn.
        for (int day = 0; day < 4; day++) {
            clock.advance(Duration.ofHours(12));
            String tenant = day % 2 == 0 ? ACME : GLOBEX;
            String token = tokens.accessToken(tenant);
            assertThat(api.list(token, ObjectType.CLIENT, ACME, FreshBooksConfig.DEMO_ACME.businessUuid(), 1, 1, null, null).page()).isEqualTo(1);
            assertThat(api.list(tokens.accessToken(GLOBEX), ObjectType.CLIENT, GLOBEX, FreshBooksConfig.DEMO_GLOBEX.businessUuid(), 1, 1, null, null).page()).isEqualTo(1);
        }
        assertThat(grants.find(OAuthGrant.forIdentity(OWNER)).orElseThrow().version()).isEqualTo(5);
        assertThat(tenants.list()).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
    }

    @Test
    void concurrentCallsAcrossBothTenantsRefreshOnce() throws Exception {
        String before = tokens.accessToken(ACME);
        clock.advance(Duration.ofHours(12).minus(TenantTokens.REFRESH_MARGIN).plusSeconds(1)); // inside the margin
        // A slow token endpoint keeps the refresh in flight while every other thread arrives.
        sim.apiFaults().add(FaultInjector.Rule.latency(1.0, Duration.ofMillis(300)).onPathsContaining("/auth/oauth/token"));

        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            String tenant = i % 2 == 0 ? ACME : GLOBEX;
            results.add(pool.submit(() -> {
                start.await();
                return tokens.accessToken(tenant);
            }));
        }
        start.countDown();
        List<String> handedOut = new ArrayList<>();
        for (Future<String> result : results) {
            handedOut.add(result.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();

        long refreshes = sim.apiFaults().injected().stream().filter(f -> f.path().equals("/auth/oauth/token")).count();
        assertThat(refreshes).isEqualTo(1);
        assertThat(handedOut).hasSize(threads).containsOnly(handedOut.get(0)).doesNotContain(before);
        assertThat(grants.find(OAuthGrant.forIdentity(OWNER)).orElseThrow().version()).isEqualTo(2);
        assertThat(api.list(handedOut.get(0), ObjectType.INVOICE, GLOBEX, FreshBooksConfig.DEMO_GLOBEX.businessUuid(), 1, 1, null, null).page()).isEqualTo(1);
        assertThat(tenants.list()).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
    }

    @Test
    void invalidGrantMarksEveryTenantOfTheGrantAndAReconnectRevivesThem() {
        OAuthGrant stored = grants.findForTenant(ACME).orElseThrow();
        sim.oauth().revoke(FreshBooksConfig.DEMO_CLIENT_ID, FreshBooksConfig.DEMO_CLIENT_SECRET, stored.refreshToken());
        clock.advance(Duration.ofHours(12));
        sim.apiFaults().add(FaultInjector.Rule.latency(1.0, Duration.ZERO).onPathsContaining("/auth/oauth/token")); // counts calls

        assertThatThrownBy(() -> tokens.accessToken(ACME)).isInstanceOf(InvalidGrantException.class)
                .hasMessageContaining("invalid_grant");

        assertThat(tenants.list()).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TenantStatus.NEEDS_REAUTHORIZATION);
            assertThat(t.statusReason()).contains("invalid_grant").contains("/oauth/freshbooks/start");
        });
        // The other tenant is refused without spending another request on a dead token.
        assertThatThrownBy(() -> tokens.accessToken(GLOBEX)).isInstanceOf(InvalidGrantException.class)
                .hasMessageContaining("needs reauthorization");
        assertThat(sim.apiFaults().injected()).hasSize(1);

        // The user authorizes again: the same grant gets the new pair and both tenants come back.
        List<Tenant> reconnected = onboarding.connect(code());

        assertThat(reconnected).extracting(Tenant::status).containsOnly(TenantStatus.ACTIVE);
        assertThat(reconnected).extracting(Tenant::statusReason).containsOnlyNulls();
        OAuthGrant replaced = grants.findForTenant(GLOBEX).orElseThrow();
        assertThat(replaced.grantId()).isEqualTo(stored.grantId());
        assertThat(replaced.version()).isEqualTo(stored.version() + 1);
        assertThat(api.list(tokens.accessToken(GLOBEX), ObjectType.CLIENT, GLOBEX, FreshBooksConfig.DEMO_GLOBEX.businessUuid(), 1, 1, null, null).page()).isEqualTo(1);
    }

    private String code() {
        return sim.mintAuthorizationCode(FreshBooksConfig.DEMO_CLIENT_ID, REDIRECT, null, OWNER);
    }
}
