package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.mlconnector.app.Operations;
import io.mlconnector.sim.freshbooks.AccountingStore;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.DashboardFigures;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The firm's dashboard (issue 13): three businesses in one dataset stream creates, edits, payments, renames,
 * archives and deletes, with invoices, payments, expenses and bills moved back over four months so every aging bucket
 * and many weeks fill. Once quiet, each figure evaluated over Power BI's rows ({@link DashboardFigures}, the intent of
 * each DAX measure) equals the same figure computed from FreshBooks' records ({@link DashboardTruth}), per business
 * and across businesses, to the cent; with the simulator's strict relationship rule on, no POST was refused. Then
 * Debian's Chromium loads the simulator's dashboard page and reads the same aging figures.
 */
class DashboardIT {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final Actor OWNER = new Actor(1, 1);

    @TempDir
    Path dir;

    @Test
    void everyDashboardFigureOverPowerBiRowsEqualsFreshBooksTruthAndThePageShowsIt() {
        DemoWorld.Options options = new DemoWorld.Options(dir, 23, 0, Duration.ofSeconds(3599), 43_200, Duration.ofMillis(300));
        try (DemoWorld world = DemoWorld.start(options, Clock.systemUTC())) {
            FreshBooksSimulator freshBooks = world.freshBooks();
            PowerBiSimulator powerBi = world.simulators().powerBi();
            freshBooks.generator().step(150);
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                world.connector().operations().backfill(tenant.tenantId(), progress -> {});
            }
            Random random = new Random(23);
            for (int round = 0; round < 12; round++) {
                freshBooks.generator().step(25);
                for (Tenant tenant : tenants) {
                    backdateSome(freshBooks.store(), tenant.tenantId(), random);
                    renameAClient(freshBooks.store(), tenant.tenantId(), random);
                }
                DemoWorld.pause(Duration.ofMillis(200));
            }
            LocalDate asOf = LocalDate.now(ZoneOffset.UTC);
            String datasetId = awaitQuiet(world, tenants);

            List<String> ids = tenants.stream().map(Tenant::tenantId).toList();
            Map<String, Object> all = DashboardTruth.of(freshBooks.store(), ids, asOf);
            assertThat(DashboardTruth.of(DashboardFigures.of(t -> powerBi.rows(datasetId, t), null, asOf)))
                    .as("figures across businesses").isEqualTo(all);
            for (String tenant : ids) {
                assertThat(DashboardTruth.of(DashboardFigures.of(t -> powerBi.rows(datasetId, t), tenant, asOf)))
                        .as("figures of " + tenant).isEqualTo(DashboardTruth.of(freshBooks.store(), List.of(tenant), asOf));
            }
            @SuppressWarnings("unchecked")
            Map<String, String> aging = (Map<String, String>) all.get("aging");
            assertThat(aging).as("aging buckets with money in them").hasSizeGreaterThanOrEqualTo(4);
            assertThat((Map<?, ?>) all.get("cash in by week")).as("weeks with cash in").hasSizeGreaterThan(4);
            assertThat(powerBi.postRowsLog()).as("POSTs refused (strict relationships on)").noneMatch(p -> p.status() == 400);

            assertThat(pageAging(powerBi.baseUrl(), DashboardFigures.AGING_BUCKETS))
                    .as("aging on the dashboard page").isEqualTo(expectedPageAging(aging));
        }
    }

    /** Moves a few records back in time: invoices up to 130 days (every bucket), payments, expenses and bills by weeks. */
    private static void backdateSome(AccountingStore store, String tenant, Random random) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<ObjectNode> invoices = live(store, tenant, Resource.INVOICES);
        if (!invoices.isEmpty()) {
            ObjectNode invoice = invoices.get(random.nextInt(invoices.size()));
            store.update(tenant, Resource.INVOICES, invoice.path("id").asLong(),
                    obj().put("create_date", today.minusDays(random.nextInt(130)).toString()), OWNER);
        }
        backdate(store, tenant, Resource.PAYMENTS, "date", random);
        backdate(store, tenant, Resource.EXPENSES, "date", random);
        backdate(store, tenant, Resource.BILLS, "issue_date", random);
        backdate(store, tenant, Resource.BILL_PAYMENTS, "paid_date", random);
    }

    private static void backdate(AccountingStore store, String tenant, Resource resource, String field, Random random) {
        List<ObjectNode> records = live(store, tenant, resource);
        if (!records.isEmpty()) {
            ObjectNode record = records.get(random.nextInt(records.size()));
            store.update(tenant, resource, record.path("id").asLong(),
                    obj().put(field, LocalDate.now(ZoneOffset.UTC).minusWeeks(random.nextInt(12)).toString()), OWNER);
        }
    }

    /** A rename: the clients dimension must hold the new name once, not a signed pair. */
    private static void renameAClient(AccountingStore store, String tenant, Random random) {
        List<ObjectNode> clients = live(store, tenant, Resource.CLIENTS);
        if (!clients.isEmpty()) {
            ObjectNode client = clients.get(random.nextInt(clients.size()));
            store.update(tenant, Resource.CLIENTS, client.path("id").asLong(),
                    obj().put("organization", "Renamed " + random.nextInt(1000)), OWNER);
        }
    }

    private static List<ObjectNode> live(AccountingStore store, String tenant, Resource resource) {
        return store.all(tenant, resource).stream().filter(r -> r.path("vis_state").asInt() == 0).toList();
    }

    private static ObjectNode obj() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Waits until nothing waits and each business's rows equal FreshBooks; returns the dataset's id. */
    private static String awaitQuiet(DemoWorld world, List<Tenant> tenants) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Operations.Status status = world.connector().operations().status();
            assertThat(status.inboxPending()).as("events waiting").isZero();
            assertThat(status.outboxUnsent()).as("rows waiting").isZero();
            assertThat(status.rebuilding()).as("tables being rebuilt").isEmpty();
            for (Tenant tenant : tenants) {
                PowerBiTruth.assertTenantMatchesTruth(world, status.datasetId(), tenant.tenantId());
            }
        });
        return world.connector().operations().status().datasetId();
    }

    /** The aging figures "across businesses" as the page shows them (e.g. "1,234.50"). */
    private static Map<String, String> expectedPageAging(Map<String, String> aging) {
        Map<String, String> shown = new java.util.LinkedHashMap<>();
        for (String bucket : DashboardFigures.AGING_BUCKETS) {
            shown.put(bucket, String.format("%,.2f", new java.math.BigDecimal(aging.getOrDefault(bucket, "0.00"))));
        }
        return shown;
    }

    /** Loads {@code /sim/dashboard} in Debian's Chromium and reads the aging cells; saves a screenshot under target/. */
    private static Map<String, String> pageAging(String powerBiUrl, List<String> buckets) {
        assertThat(Files.isExecutable(CHROMIUM)).as("Debian's chromium (apt-get install chromium)").isTrue();
        try (Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                     .setExecutablePath(CHROMIUM).setHeadless(true))) {
            Page page = browser.newPage();
            page.navigate(powerBiUrl + "/sim/dashboard");
            Map<String, String> shown = new java.util.LinkedHashMap<>();
            for (String bucket : buckets) {
                shown.put(bucket, page.locator("[id='aging-all-" + bucket + "']").textContent().strip());
            }
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "dashboard.png")).setFullPage(true));
            return shown;
        }
    }
}
