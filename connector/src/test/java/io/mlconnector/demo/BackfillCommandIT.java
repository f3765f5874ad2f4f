package io.mlconnector.demo;

import static io.mlconnector.cli.DatasetCommandIT.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.app.Operations;
import io.mlconnector.cli.DatasetCommandIT.Run;
import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.pipeline.Backfills;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.store.Tenant;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc backfill} against the simulators and a whole connector, run in-process: a backfill that FreshBooks
 * interrupts on page 3 of the invoices is started again and reads only the pages after those it applied; a backfill
 * of everything brings every tenant to FreshBooks' truth in Power BI; the final line's counts are the backfill's;
 * status lists it; bad options are one-line errors.
 */
class BackfillCommandIT {
    private static final Pattern SUMMARY = Pattern.compile(
            "Backfill (bf-\\w+) done: ([\\d,]+) records fetched, ([\\d,]+) rows queued, ([\\d,]+) pushed to Power BI");

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void backfillResumesAfterAnInterruptionAndBringsPowerBiToTheTruth(String store) {
        DemoWorld.Options h2 = new DemoWorld.Options(dataDir, 11, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        DemoWorld.Options options = store.equals("h2") ? h2
                : h2.withStore(io.mlconnector.store.TestDatabases.postgresConfig());
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            String url = world.adminUrl().toString();
            Operations operations = world.connector().operations();
            FreshBooksSimulator freshBooks = world.freshBooks();
            freshBooks.generator().step(30);
            List<Tenant> tenants = world.connectBusinesses();
            Tenant first = tenants.get(0);
            String tenant = first.tenantId();
            freshBooks.generator().createInvoices(tenant, 260); // at least 3 pages of 100
            long active = freshBooks.store().all(tenant, Resource.INVOICES).stream()
                    .filter(i -> i.path("vis_state").asInt() != 1).count();
            long deleted = freshBooks.store().all(tenant, Resource.INVOICES).size() - active;
            long activePages = (active + 99) / 100;
            long deletedPages = Math.max(1, (deleted + 99) / 100);
            assertThat(activePages).isGreaterThanOrEqualTo(3);

            // FreshBooks fails from page 3 of the invoices on: the backfill stops there, pages 1 and 2 applied.
            AtomicBoolean faulted = new AtomicBoolean();
            Backfills.Snapshot interrupted = operations.backfills().start(List.of(first), List.of(ObjectType.INVOICE),
                    null, false, page -> {
                        if (!page.deletedListing() && page.page() == 2 && faulted.compareAndSet(false, true)) {
                            freshBooks.apiFaults().add(FaultInjector.Rule.serverError(1.0, 503)
                                    .onPathsContaining("/invoices/invoices"));
                        }
                    });
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    operations.backfillProgress(interrupted.id()).orElseThrow().state() == Backfills.State.FAILED);
            Backfills.Snapshot stopped = operations.backfillProgress(interrupted.id()).orElseThrow();
            assertThat(stopped.page()).as("pages applied before the failure").isEqualTo(2);
            assertThat(stopped.recordsFetched()).isEqualTo(200);
            assertThat(stopped.error()).contains("503");
            freshBooks.apiFaults().clear();

            // Started again through the command: only the pages after 2 are read.
            long listingsBefore = invoiceListings(freshBooks, tenant);
            Run resumed = run("backfill", "--tenant", tenant, "--tables", "invoices", "--url", url);
            assertThat(resumed.exit()).as(resumed.toString()).isZero();
            assertThat(resumed.out()).contains("started in the connector: invoice of tenant " + tenant);
            assertThat(invoiceListings(freshBooks, tenant) - listingsBefore)
                    .as("listing pages read again: pages 3.." + activePages + " and the deleted listing")
                    .isEqualTo(activePages - 2 + deletedPages);
            Matcher summary = lastSummary(resumed.out());
            assertThat(number(summary.group(2))).as("records fetched").isEqualTo(active - 200 + deleted);
            assertThat(number(summary.group(3))).as("rows queued").isPositive();
            assertThat(number(summary.group(4))).as("rows pushed").isEqualTo(number(summary.group(3)));
            assertThat(resumed.out()).contains("2 pages already read by an earlier backfill skipped");

            // Interrupted again, but its checkpoint is older than a day: the next backfill reads every page.
            AtomicBoolean faultedAgain = new AtomicBoolean();
            Backfills.Snapshot again = operations.backfills().start(List.of(first), List.of(ObjectType.INVOICE),
                    null, false, page -> {
                        if (!page.deletedListing() && page.page() == 2 && faultedAgain.compareAndSet(false, true)) {
                            freshBooks.apiFaults().add(FaultInjector.Rule.serverError(1.0, 503)
                                    .onPathsContaining("/invoices/invoices"));
                        }
                    });
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    operations.backfillProgress(again.id()).orElseThrow().state() == Backfills.State.FAILED);
            freshBooks.apiFaults().clear();
            try (io.mlconnector.store.Database db = io.mlconnector.store.Database.open(world.config().store())) {
                int aged = db.jdbi().withHandle(h -> h.createUpdate("UPDATE backfill_checkpoint SET updated_at = :old")
                        .bind("old", java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC)
                                .minus(Backfills.RESUME_WITHIN).minusMinutes(1)).execute());
                assertThat(aged).as("the interrupted listing's checkpoint").isEqualTo(1);
            }
            long listingsBeforeStale = invoiceListings(freshBooks, tenant);
            Run stale = run("backfill", "--tenant", tenant, "--tables", "invoices", "--url", url);
            assertThat(stale.exit()).as(stale.toString()).isZero();
            assertThat(invoiceListings(freshBooks, tenant) - listingsBeforeStale).as("every page, from 1")
                    .isEqualTo(activePages + deletedPages);
            assertThat(stale.out()).doesNotContain("already read by an earlier backfill");

            // Everything of every tenant: Power BI ends at FreshBooks' truth; the line's counts are this backfill's.
            Run all = run("backfill", "--url", url);
            assertThat(all.exit()).as(all.toString()).isZero();
            Matcher everything = lastSummary(all.out());
            long records = tenants.stream().mapToLong(t -> java.util.Arrays.stream(Resource.values())
                    .filter(r -> r != Resource.BILL_PAYMENTS) // read inside bills, not listed
                    .mapToLong(r -> freshBooks.store().all(t.tenantId(), r).size()).sum()).sum();
            assertThat(number(everything.group(2))).as("records fetched").isGreaterThanOrEqualTo(records);
            assertThat(number(everything.group(4))).isEqualTo(number(everything.group(3)));
            String datasetId = operations.status().datasetId();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                for (Tenant t : tenants) {
                    PowerBiTruth.assertTenantMatchesTruth(world, datasetId, t.tenantId());
                }
            });

            // The status lists both backfills, newest first.
            assertThat(operations.status().backfills()).extracting(Backfills.Snapshot::id)
                    .startsWith(everything.group(1)).contains(summary.group(1), again.id());
            Run status = run("status", "--url", url);
            assertThat(status.out()).contains("Backfill " + everything.group(1) + " done ");

            // mlc explain: an invoice read by the resumed backfill, then changed through a webhook: its + row of the
            // backfill, then − and + of the webhook's fetch, each with its sent batch.
            long invoiceId = freshBooks.store().all(tenant, Resource.INVOICES).stream()
                    .filter(i -> i.path("vis_state").asInt() == 0).mapToLong(i -> i.path("id").asLong()).max().orElseThrow();
            world.registerWebhooks(Duration.ofSeconds(30));
            io.mlconnector.sim.freshbooks.Actor actor = new io.mlconnector.sim.freshbooks.Actor(1, 1);
            tools.jackson.databind.node.ObjectNode input = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            tools.jackson.databind.node.ObjectNode line = input.putArray("lines").addObject();
            line.put("name", "Explained work").put("qty", "1");
            line.putObject("unit_cost").put("amount", "777.00").put("code", "USD");
            freshBooks.store().update(tenant, Resource.INVOICES, invoiceId, input, actor);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(operations.explain("invoices", String.valueOf(invoiceId), tenant).rows())
                            .hasSize(3).allMatch(r -> "sent".equals(r.batchState())));
            Run explained = run("explain", "invoices", String.valueOf(invoiceId), "--tenant", tenant, "--url", url);
            assertThat(explained.exit()).as(explained.toString()).isZero();
            List<String> lines = explained.out().lines().toList();
            assertThat(lines.get(0)).isEqualTo("invoices rows of record " + invoiceId + " of tenant " + tenant
                    + ": 3 signed rows, net +1");
            assertThat(lines.get(1)).startsWith("  + ").contains(" batch ", " sent ");
            assertThat(lines.get(2)).matches("      cause: backfill bf-\\w+ \\(invoice listing, all records\\)");
            assertThat(lines.get(3)).startsWith("  − ");
            assertThat(lines.get(4)).startsWith("      cause: webhook invoice.update received ").contains("(inbox ");
            assertThat(lines.get(5)).startsWith("  + ");
            assertThat(lines.get(6)).isEqualTo(lines.get(4));
            assertThat(lines.get(7)).startsWith("Ledger: invoice " + invoiceId + " of " + tenant + " held at FreshBooks version ");
            Run unknownTable = run("explain", "invoice", "1", "--url", url);
            assertThat(unknownTable.exit()).as(unknownTable.toString()).isEqualTo(2);
            assertThat(unknownTable.err()).contains("no table 'invoice'", "invoices");
            Run nothing = run("explain", "invoices", "999", "--url", url);
            assertThat(nothing.exit()).as(nothing.toString()).isEqualTo(1);
            assertThat(nothing.out()).contains("No invoices rows of record 999 in the outbox");

            // Mistakes: one line each, naming the option.
            Run badTable = run("backfill", "--tables", "invoices,widgets", "--url", url);
            assertThat(badTable.exit()).as(badTable.toString()).isEqualTo(2);
            assertThat(badTable.err()).contains("--tables: no FreshBooks records 'widgets'", "invoices").doesNotContain("\tat ");
            Run badTenant = run("backfill", "--tenant", "nope", "--url", url);
            assertThat(badTenant.exit()).as(badTenant.toString()).isEqualTo(1);
            assertThat(badTenant.err()).contains("--tenant: no tenant 'nope'").doesNotContain("\tat ");
            Run badDate = run("backfill", "--since", "last week", "--url", url);
            assertThat(badDate.exit()).as(badDate.toString()).isEqualTo(2);
        }
    }

    /** The simulator's invoice listings of the tenant (a GET on the collection, either listing) so far. */
    private static long invoiceListings(FreshBooksSimulator freshBooks, String tenant) {
        return freshBooks.requestLog().stream().filter(r -> r.method().equals("GET")
                && r.path().equals("/accounting/account/" + tenant + "/invoices/invoices")).count();
    }

    private static Matcher lastSummary(String out) {
        Matcher last = null;
        for (String line : out.lines().toList()) {
            Matcher m = SUMMARY.matcher(line);
            if (m.find()) {
                last = m;
            }
        }
        assertThat(last).as("a summary line in:\n" + out).isNotNull();
        return last;
    }

    private static long number(String text) {
        return Long.parseLong(text.replace(",", ""));
    }
}
