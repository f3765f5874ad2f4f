package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.freshbooks.FreshBooksApiClient;
import io.mlconnector.freshbooks.FreshBooksOAuthClient;
import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.freshbooks.Onboarding;
import io.mlconnector.freshbooks.TenantTokens;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.sim.common.MutableClock;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.sim.freshbooks.FreshBooksConfig;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.store.Database;
import io.mlconnector.store.OAuthGrantRepository;
import io.mlconnector.store.SecretBox;
import io.mlconnector.store.TenantRepository;
import io.mlconnector.store.TestDatabases;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Incremental sweeps against the FreshBooks simulator over HTTP, on H2, with every webhook dropped. */
class SweepSchedulerIT {
    private static final String REDIRECT = FreshBooksConfig.DEMO_REDIRECT_URIS.get(0);
    private static final String ACME = FreshBooksConfig.DEMO_ACME.accountId();
    private static final String GLOBEX = FreshBooksConfig.DEMO_GLOBEX.accountId();

    @TempDir
    Path dir;
    MutableClock clock = new MutableClock(Instant.parse("2026-03-02T15:00:00Z"));
    FreshBooksSimulator sim;
    Database database;
    TenantRepository tenants;
    Sweeper sweeper;

    @BeforeEach
    void connect() {
        sim = new FreshBooksSimulator(FreshBooksConfig.demo(), clock).start(0);
        sim.deliveryFaults().dropShare(1.0); // webhooks never arrive: only sweeps can see changes
        URI base = URI.create(sim.baseUrl());
        JsonMapper json = PipelineJson.mapper();
        FreshBooksOAuthClient oauth = new FreshBooksOAuthClient(base, base, FreshBooksConfig.DEMO_CLIENT_ID,
                FreshBooksConfig.DEMO_CLIENT_SECRET, URI.create(REDIRECT), List.of(), clock);
        FreshBooksApiClient api = new FreshBooksApiClient(HttpClient.newHttpClient(), base, Duration.ofSeconds(10), json);
        database = TestDatabases.h2(dir);
        tenants = new TenantRepository(database, clock);
        OAuthGrantRepository grants = new OAuthGrantRepository(database, SecretBox.open(dir.resolve("keyset.json")), clock);
        TenantTokens tokens = new TenantTokens(grants, tenants, oauth, clock);
        new Onboarding(oauth, api, tenants, tokens).connect(
                sim.mintAuthorizationCode(FreshBooksConfig.DEMO_CLIENT_ID, REDIRECT, null, FreshBooksConfig.DEMO_OWNER.identityId()));
        RecordApplier applier = new RecordApplier(database.jdbi(), MapperRegistry.standard(), new SignedRowLedger(json), json, clock);
        sweeper = new Sweeper(api, tokens, new FetchStamps(database.jdbi(), database.dialect()), applier, "default");
        sim.generator().step(80);
        // A verified invoice callback, so changes really are sent, and dropped (the receiver does not exist).
        long callback = sim.webhooks().register(ACME, "invoice", "http://127.0.0.1:9/hooks/freshbooks/x",
                sim.ownerActor(ACME)).get("callbackid").asLong();
        sim.webhooks().verify(ACME, callback, sim.webhooks().verifierOf(ACME, callback).orElseThrow());
    }

    @AfterEach
    void close() {
        sim.close();
        database.close();
    }

    @Test
    void sweepsCatchMissedChangesAndDeletesAndRepeatNothing() {
        SweepScheduler scheduler = new SweepScheduler(database.dataSource(), sweeper, tenants, clock,
                Duration.ofMinutes(15), Duration.ofDays(1));
        Instant firstStart = clock.instant();

        SweepScheduler.Run first = scheduler.runNow(ACME); // no watermark yet: everything
        assertThat(first.failed()).isEmpty();
        assertThat(first.recordsRead()).containsOnlyKeys(ObjectType.values());
        assertThat(first.recordsRead().get(ObjectType.INVOICE)).isPositive();
        long afterFirst = outboxRows();
        assertThat(afterFirst).isPositive();
        assertThat(scheduler.watermark(ACME, ObjectType.INVOICE)).contains(firstStart);
        assertThat(scheduler.watermark(ACME, ObjectType.BILL)).contains(firstStart);

        clock.advance(Duration.ofMinutes(15));
        scheduler.runNow(ACME);
        assertThat(outboxRows()).as("a second sweep with nothing changed").isEqualTo(afterFirst);

        // An hour later the owner edits one invoice and deletes another; neither webhook is delivered.
        clock.advance(Duration.ofHours(1));
        List<Long> live = sim.store().all(ACME, Resource.INVOICES).stream()
                .filter(r -> r.get("vis_state").asInt() == 0).map(r -> r.get("id").asLong()).toList();
        long edited = live.get(0);
        long deleted = live.get(1);
        ObjectNode edit = PipelineJson.mapper().createObjectNode().put("notes", "changed while webhooks were down");
        sim.store().update(ACME, Resource.INVOICES, edited, edit, sim.ownerActor(ACME));
        sim.store().delete(ACME, Resource.INVOICES, deleted, sim.ownerActor(ACME));
        long deletedRowsPushed = signedRows(deleted, 1);
        assertThat(deletedRowsPushed).isPositive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sim.deliveryLog())
                .filteredOn(a -> !a.isVerification()).extracting(DeliveryAttempt::name)
                .contains("invoice.update", "invoice.delete"));
        assertThat(sim.deliveryLog()).filteredOn(a -> !a.isVerification()).extracting(DeliveryAttempt::outcome)
                .containsOnly(DeliveryAttempt.Outcome.DROPPED);

        Instant thirdStart = clock.instant();
        SweepScheduler.Run third = scheduler.runNow(ACME);

        assertThat(third.failed()).isEmpty();
        // Incremental: from the Eastern day of (watermark − 1 day): 2026-03-02T15:15Z − 1 d = 10:15 EST on 1 March.
        assertThat(causes(edited)).contains("sweep:invoice:since 2026-03-01");
        assertThat(signedRows(edited, -1)).isEqualTo(signedRows(edited, 1) / 2); // each old row reversed once
        assertThat(causes(deleted)).contains("sweep:invoice:since 2026-03-01:deleted");
        assertThat(signedRows(deleted, -1)).isEqualTo(deletedRowsPushed);
        assertThat(signedRows(deleted, 1)).isEqualTo(deletedRowsPushed); // nothing re-added
        Boolean ledgerSaysDeleted = database.jdbi().withHandle(h -> h.createQuery(
                        "SELECT deleted FROM ledger_entry WHERE tenant_id = :t AND object_type = 'invoice' AND object_id = :id")
                .bind("t", ACME).bind("id", Long.toString(deleted)).mapTo(Boolean.class).one());
        assertThat(ledgerSaysDeleted).isTrue();
        assertThat(scheduler.watermark(ACME, ObjectType.INVOICE)).contains(thirdStart);

        long afterChanges = outboxRows();
        clock.advance(Duration.ofMinutes(15));
        scheduler.runNow(ACME);
        scheduler.runNow(ACME);
        assertThat(outboxRows()).as("sweeping again after the changes").isEqualTo(afterChanges);
        scheduler.close();
    }

    @Test
    void startedSchedulersSweepEveryActiveTenant() {
        // Two instances on one store, as two connector processes would be: db-scheduler hands each
        // execution to one of them.
        SweepScheduler one = new SweepScheduler(database.dataSource(), sweeper, tenants, clock,
                Duration.ofSeconds(1), Duration.ofDays(1)).start();
        SweepScheduler two = new SweepScheduler(database.dataSource(), sweeper, tenants, clock,
                Duration.ofSeconds(1), Duration.ofDays(1)).start();
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String tenant : List.of(ACME, GLOBEX)) {
                    for (ObjectType type : ObjectType.values()) {
                        assertThat(one.watermark(tenant, type)).as(tenant + " " + type).isPresent();
                    }
                }
            });
            List<Map<String, Object>> tasks = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT task_name, task_instance FROM scheduled_tasks").mapToMap().list());
            assertThat(tasks).extracting(t -> t.get("task_name")).contains(SweepScheduler.RECURRING_TASK);
            assertThat(tasks.stream().filter(t -> SweepScheduler.RECURRING_TASK.equals(t.get("task_name")))).hasSize(1);
        } finally {
            one.close();
            two.close();
        }
        assertThat(outboxRows()).isPositive();
    }

    private long outboxRows() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM outbox_row").mapTo(Long.class).one());
    }

    private long signedRows(long invoiceId, int sign) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM outbox_row WHERE tenant_id = :t"
                        + " AND object_type = 'invoice' AND object_id = :id AND sign = :sign")
                .bind("t", ACME).bind("id", Long.toString(invoiceId)).bind("sign", sign).mapTo(Long.class).one());
    }

    private List<String> causes(long invoiceId) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT DISTINCT cause FROM outbox_row WHERE tenant_id = :t"
                        + " AND object_type = 'invoice' AND object_id = :id")
                .bind("t", ACME).bind("id", Long.toString(invoiceId)).mapTo(String.class).list());
    }
}
