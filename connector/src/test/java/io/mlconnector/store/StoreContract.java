package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.store.Tenant.TenantStatus;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's behaviour, run against each database (subclasses pick H2 or PostgreSQL). */
abstract class StoreContract {

    @TempDir
    Path dir;
    Database database;
    SecretBox secrets;
    Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00.123456Z"), ZoneOffset.UTC);
    TenantRepository tenants;
    OAuthGrantRepository grants;
    CallbackRepository callbacks;
    InboxRepository inbox = new InboxRepository();

    abstract Database openDatabase(Path dir);

    /** Where a database with nothing in it yet can be created (for migration tests). */
    abstract ConnectorConfig.Store emptyStore(Path dir);

    @BeforeEach
    void openStore() {
        database = openDatabase(dir);
        secrets = SecretBox.open(dir.resolve("keyset.json"));
        tenants = new TenantRepository(database, clock);
        grants = new OAuthGrantRepository(database, secrets, clock);
        callbacks = new CallbackRepository(database, secrets, clock, new SecureRandom());
    }

    @AfterEach
    void closeStore() {
        database.close();
    }

    @Test
    void migrationsCreateTheV1Tables() {
        List<String> tables = database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT LOWER(table_name) FROM information_schema.tables WHERE LOWER(table_name) IN ('tenant', 'oauth_grant', 'callback', 'inbox') ORDER BY 1")
                .mapTo(String.class).list());
        assertThat(tables).containsExactly("callback", "inbox", "oauth_grant", "tenant");
    }

    @Test
    void tenantUpsertKeepsStatusAndCreationTime() {
        Tenant first = tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", 12345L);
        assertThat(first.status()).isEqualTo(TenantStatus.ACTIVE);
        assertThat(first.createdAt()).isEqualTo(Instant.parse("2026-03-01T12:00:00.123456Z"));

        assertThat(tenants.setStatus("ACM123", TenantStatus.NEEDS_REAUTHORIZATION, "invalid_grant")).isTrue();
        Tenant again = tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme Ltd", null);

        assertThat(again.businessName()).isEqualTo("Acme Ltd");
        assertThat(again.identityId()).isNull();
        assertThat(again.status()).isEqualTo(TenantStatus.NEEDS_REAUTHORIZATION);
        assertThat(again.statusReason()).isEqualTo("invalid_grant");
        assertThat(tenants.find("ACM123")).contains(again);
        assertThat(tenants.find("nope")).isEmpty();
        assertThat(tenants.setStatus("nope", TenantStatus.ACTIVE, null)).isFalse();
    }

    @Test
    void tenantsAreListedById() {
        tenants.upsertFromDiscovery("b", 2, "u2", "B", null);
        tenants.upsertFromDiscovery("a", 1, "u1", "A", null);

        assertThat(tenants.list()).extracting(Tenant::tenantId).containsExactly("a", "b");
    }

    @Test
    void tenantsOfOneIdentityShareOneGrant() {
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", 12345L);
        tenants.upsertFromDiscovery("GLX456", 439001, "uuid-2", "Globex", 12345L);
        TokenGrant first = new TokenGrant("access-1", "refresh-1", Instant.parse("2026-03-02T00:00:00Z"), "user:profile:read");

        OAuthGrant v1 = grants.connect(OAuthGrant.forIdentity(12345), 12345, first, List.of("ACM123", "GLX456"));

        assertThat(v1.grantId()).isEqualTo("identity-12345");
        assertThat(v1.version()).isEqualTo(1);
        assertThat(grants.find("identity-12345")).contains(v1);
        assertThat(grants.findForTenant("ACM123")).contains(v1);
        assertThat(grants.findForTenant("GLX456")).contains(v1);
        assertThat(tenants.listByGrant("identity-12345")).extracting(Tenant::tenantId).containsExactly("ACM123", "GLX456");
        assertThat(tenants.find("ACM123").orElseThrow().grantId()).isEqualTo("identity-12345");
        long rows = database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM oauth_grant").mapTo(Long.class).one());
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void grantReplaceChecksTheVersionAndEncryptsTokens() {
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", 12345L);
        grants.connect("identity-12345", 12345, new TokenGrant("access-1", "refresh-1", Instant.parse("2026-03-02T00:00:00Z"),
                "user:profile:read"), List.of("ACM123"));

        OAuthGrant v2 = grants.replace("identity-12345", 1, new TokenGrant("access-2", "refresh-2", Instant.parse("2026-03-02T12:00:00Z"), null));
        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.identityId()).isEqualTo(12345L);
        assertThat(grants.find("identity-12345")).contains(v2);

        TokenGrant late = new TokenGrant("access-x", "refresh-x", Instant.parse("2026-03-02T12:00:00Z"), null);
        assertThatThrownBy(() -> grants.replace("identity-12345", 1, late)).isInstanceOf(StaleVersionException.class);
        assertThatThrownBy(() -> grants.replace("identity-99", 0, late)).isInstanceOf(StaleVersionException.class);
        assertThat(grants.find("identity-12345").orElseThrow().refreshToken()).isEqualTo("refresh-2");

        String stored = database.jdbi().withHandle(h -> h.createQuery("SELECT refresh_token_enc FROM oauth_grant")
                .mapTo(String.class).one());
        assertThat(stored).doesNotContain("refresh-2");
        assertThat(grants.find("other")).isEmpty();
        assertThat(grants.findForTenant("other")).isEmpty();
    }

    @Test
    void reconnectReplacesTheGrantAndReactivatesItsTenants() {
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", 12345L);
        tenants.upsertFromDiscovery("GLX456", 439001, "uuid-2", "Globex", 12345L);
        tenants.upsertFromDiscovery("NEW789", 439002, "uuid-3", "Initech", 12345L);
        grants.connect("identity-12345", 12345, new TokenGrant("a1", "r1", Instant.parse("2026-03-02T00:00:00Z"), null),
                List.of("ACM123", "GLX456"));
        grants.replace("identity-12345", 1, new TokenGrant("a2", "r2", Instant.parse("2026-03-02T12:00:00Z"), null));

        // A verdict about an older version of the grant changes nothing; about the current one, every tenant.
        assertThat(tenants.setStatusForGrant("identity-12345", 1, TenantStatus.NEEDS_REAUTHORIZATION, "stale")).isZero();
        assertThat(tenants.setStatusForGrant("identity-12345", 2, TenantStatus.NEEDS_REAUTHORIZATION, "invalid_grant")).isEqualTo(2);
        assertThat(tenants.list()).filteredOn(t -> t.status() == TenantStatus.NEEDS_REAUTHORIZATION)
                .extracting(Tenant::tenantId).containsExactly("ACM123", "GLX456");

        OAuthGrant again = grants.connect("identity-12345", 12345, new TokenGrant("a3", "r3", Instant.parse("2026-03-03T00:00:00Z"), null),
                List.of("GLX456", "NEW789")); // ACM123 not rediscovered this time, but still the grant's

        assertThat(again.version()).isEqualTo(3);
        assertThat(grants.findForTenant("ACM123").orElseThrow().refreshToken()).isEqualTo("r3");
        assertThat(tenants.listByGrant("identity-12345")).extracting(Tenant::tenantId).containsExactly("ACM123", "GLX456", "NEW789");
        assertThat(tenants.list()).allSatisfy(t -> {
            assertThat(t.status()).isEqualTo(TenantStatus.ACTIVE);
            assertThat(t.statusReason()).isNull();
        });
    }

    @Test
    void swappedCiphertextsDoNotDecrypt() {
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", null);
        grants.connect("identity-1", 1, new TokenGrant("access-1", "refresh-1", Instant.parse("2026-03-02T00:00:00Z"), null),
                List.of("ACM123"));
        database.jdbi().useHandle(h -> h.execute("UPDATE oauth_grant SET refresh_token_enc = access_token_enc"));

        assertThatThrownBy(() -> grants.find("identity-1")).isInstanceOf(SecretBox.SecretBoxException.class)
                .hasMessageNotContaining("access-1");
    }

    @Test
    void v3MigratesPerTenantGrantsIntoGrantsTheTenantsStillRead() {
        ConnectorConfig.Store empty = emptyStore(dir);
        Flyway.configure().dataSource(empty.jdbcUrl(), empty.username(), empty.password())
                .locations("classpath:db/migration").target("2").load().migrate();
        Jdbi.create(empty.jdbcUrl(), empty.username(), empty.password()).useHandle(h -> {
            h.execute("INSERT INTO tenant (tenant_id, business_id, business_uuid, business_name, identity_id, status,"
                    + " created_at, updated_at) VALUES ('ACM123', 439000, 'uuid-1', 'Acme', 12345, 'active', ?, ?)",
                    StoreTime.utc(clock.instant()), StoreTime.utc(clock.instant()));
            h.execute("INSERT INTO tenant (tenant_id, business_id, business_uuid, business_name, identity_id, status,"
                    + " created_at, updated_at) VALUES ('NEW789', 439002, 'uuid-3', 'Initech', 12345, 'active', ?, ?)",
                    StoreTime.utc(clock.instant()), StoreTime.utc(clock.instant()));
            h.execute("INSERT INTO oauth_grant (tenant_id, access_token_enc, refresh_token_enc, access_expires_at, scope,"
                    + " version, updated_at) VALUES ('ACM123', ?, ?, ?, 'user:profile:read', 7, ?)",
                    secrets.encrypt("old-access", "oauth_grant/access/ACM123"),
                    secrets.encrypt("old-refresh", "oauth_grant/refresh/ACM123"),
                    StoreTime.utc(Instant.parse("2026-03-02T00:00:00Z")), StoreTime.utc(clock.instant()));
        });

        try (Database migrated = Database.open(empty)) {
            OAuthGrantRepository migratedGrants = new OAuthGrantRepository(migrated, secrets, clock);
            OAuthGrant grant = migratedGrants.findForTenant("ACM123").orElseThrow();
            assertThat(grant.grantId()).isEqualTo("ACM123");
            assertThat(grant.refreshToken()).isEqualTo("old-refresh");
            assertThat(grant.version()).isEqualTo(7);
            assertThat(migratedGrants.findForTenant("NEW789")).isEmpty();
            assertThat(new TenantRepository(migrated, clock).find("ACM123").orElseThrow().grantId()).isEqualTo("ACM123");
        }
    }

    @Test
    void dbSchedulerTableExists() {
        long rows = database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM scheduled_tasks").mapTo(Long.class).one());
        assertThat(rows).isZero();
    }

    @Test
    void callbackLifecycle() {
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", null);
        Callback pending = callbacks.createPending("ACM123", "invoice.create");

        assertThat(pending.uriToken()).matches("[A-Za-z0-9_-]{43}");
        assertThat(callbacks.createPending("ACM123", "payment.create").uriToken()).isNotEqualTo(pending.uriToken());
        assertThat(callbacks.findByToken(pending.uriToken())).contains(pending);

        assertThat(callbacks.setCallbackId(pending.uriToken(), 2001)).isTrue();
        assertThat(callbacks.storeVerifier(pending.uriToken(), "scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd")).isTrue();
        CallbackRepository.CallbackWithVerifier unverified = callbacks.findWithVerifier(pending.uriToken()).orElseThrow();
        assertThat(unverified.verifier()).isEqualTo("scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd");
        assertThat(unverified.callback().verified()).isFalse();
        assertThat(unverified.callback().callbackId()).isEqualTo(2001L);
        assertThat(unverified.toString()).doesNotContain("scADVVi5");

        assertThat(callbacks.markVerified(pending.uriToken())).isTrue();
        Callback verified = callbacks.findByToken(pending.uriToken()).orElseThrow();
        assertThat(verified.verified()).isTrue();
        assertThat(verified.hasVerifier()).isTrue();
        assertThat(verified.verifiedAt()).isEqualTo(clock.instant());

        assertThat(callbacks.listByTenant("ACM123")).hasSize(2);
        assertThat(callbacks.delete(pending.uriToken())).isTrue();
        assertThat(callbacks.findWithVerifier(pending.uriToken())).isEmpty();
        assertThat(callbacks.listByTenant("ACM123")).hasSize(1);
        assertThat(callbacks.delete(pending.uriToken())).isFalse();
        assertThat(callbacks.setCallbackId("nope", 1)).isFalse();
    }

    @Test
    void verifiedCallbackIsCachedUntilTheTtlEnds() {
        MutableClock mutable = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        CallbackRepository cached = new CallbackRepository(database, secrets, mutable, new SecureRandom());
        tenants.upsertFromDiscovery("ACM123", 439000, "uuid-1", "Acme", null);
        Callback callback = cached.createPending("ACM123", "invoice.create");
        cached.storeVerifier(callback.uriToken(), "v");
        cached.markVerified(callback.uriToken());
        assertThat(cached.findWithVerifier(callback.uriToken())).isPresent();

        // Deleted behind the repository's back (as by another instance): still cached, then expired.
        database.jdbi().useHandle(h -> h.execute("DELETE FROM callback"));
        assertThat(cached.findWithVerifier(callback.uriToken())).isPresent();
        mutable.advance(CallbackRepository.CACHE_TTL);
        assertThat(cached.findWithVerifier(callback.uriToken())).isEmpty();
    }

    @Test
    void inboxBatchIsInsertedInTheCallersTransaction() {
        List<InboxEvent> events = List.of(
                new InboxEvent(clock.instant(), "ACM123", "tok", "invoice.create", "invoice", "1", "{\"name\": \"invoice.create\"}"),
                new InboxEvent(clock.instant(), "ACM123", "tok", "payment.update", "payment", "2", "{}"));

        database.inDurableTransaction(h -> {
            inbox.insertBatch(h, events);
            return null;
        });

        List<InboxEvent> stored = database.jdbi().withHandle(h -> inbox.listByTenant(h, "ACM123"));
        assertThat(stored).containsExactlyElementsOf(events);
        assertThatThrownBy(() -> database.inDurableTransaction(h -> {
            inbox.insertBatch(h, events);
            throw new IllegalStateException("rolled back");
        })).hasMessage("rolled back");
        long count = database.jdbi().withHandle(inbox::count);
        assertThat(count).isEqualTo(2);
    }

    @Test
    void skipLockedClaimParses() {
        List<Long> ids = database.jdbi().inTransaction(h -> h.createQuery(
                "SELECT id FROM inbox WHERE processed_at IS NULL ORDER BY id" + database.dialect().forUpdateSkipLocked())
                .mapTo(Long.class).list());
        assertThat(ids).isEmpty();
    }
}
