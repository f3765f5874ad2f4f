package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Response;
import io.mlconnector.app.Operations;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.sim.freshbooks.Actor;
import io.mlconnector.sim.freshbooks.FreshBooksSimulator;
import io.mlconnector.sim.freshbooks.Resource;
import io.mlconnector.sim.powerbi.PowerBiSimulator;
import io.mlconnector.store.Tenant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The status page (issue 12 item 1) in Debian's Chromium, against a running connector with an admin token and the
 * simulators: the sign-in form, each business, a row count that grows while changes stream (the page refreshes by
 * itself), a quarantined batch that the page's replay button clears, and a blocked table with its fix after Power
 * BI's table loses a column. No CSP violation on the way; on a phone-wide viewport nothing overflows sideways.
 * Screenshots: {@code target/status-page.png}, {@code target/status-page-phone.png}.
 */
class StatusPageIT {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final String TOKEN = "status-page-admin-token";
    private static final Actor ACTOR = new Actor(1, 1);
    private static final String BLOCKED_TABLE = "payments";
    private static final String BLOCKED_COLUMN = "payment_type";

    @TempDir
    Path dir;

    @Test
    void thePageShowsBusinessesGrowingRowsAQuarantineItsReplayClearsAndABlockedTableWithItsFix() {
        DemoWorld.Options options = new DemoWorld.Options(dir, 17, 0, Duration.ofSeconds(3599), 43_200,
                Duration.ofMillis(200));
        assertThat(Files.isExecutable(CHROMIUM)).as("Debian's chromium (apt-get install chromium)").isTrue();
        try (DemoWorld world = DemoWorld.withoutConnector(options, Clock.systemUTC());
             Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                     .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
             Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                     .setExecutablePath(CHROMIUM).setHeadless(true))) {
            world.startConnector(Map.of("ML_CONNECTOR_ADMIN_TOKEN", TOKEN));
            Operations operations = world.connector().operations();
            operations.awaitPowerBi(Duration.ofSeconds(60));
            String admin = world.adminUrl().toString();
            FreshBooksSimulator freshBooks = world.freshBooks();
            PowerBiSimulator powerBi = world.simulators().powerBi();

            BrowserContext laptop = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 900));
            Page page = laptop.newPage();
            List<String> consoleErrors = new CopyOnWriteArrayList<>();
            page.onConsoleMessage(m -> {
                // The sign-in form's own 401s are logged as failed loads; anything else (a CSP violation) counts.
                if ("error".equals(m.type()) && !m.text().contains("status of 401")) {
                    consoleErrors.add(m.text());
                }
            });
            Response first = page.navigate(admin + "/");
            assertThat(first.status()).as("the sign-in form, before the token").isEqualTo(401);
            assertThat(first.headerValue("content-security-policy")).contains("script-src 'self'")
                    .doesNotContain("unsafe-inline");
            signIn(page, "not-the-token");
            assertThat(page.locator("#login-refused").isVisible()).as("a wrong token is refused").isTrue();
            signIn(page, TOKEN);
            awaitPage("the page drew the status", () ->
                    assertThat(page.locator("#subtitle").textContent()).contains("Dataset "));

            freshBooks.generator().step(120); // enough history that the first business has an expense
            List<Tenant> tenants = world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            for (Tenant tenant : tenants) {
                operations.backfill(tenant.tenantId(), progress -> {});
            }
            awaitPage("each business with its connection", () -> {
                for (Tenant tenant : tenants) {
                    Locator row = page.locator("#businesses tr[data-tenant='" + tenant.tenantId() + "']");
                    assertThat(row.locator(".business-name").textContent()).isEqualTo(tenant.businessName());
                    assertThat(row.textContent()).contains("connected");
                }
                assertThat(rowsPushed(page)).as("rows pushed").isPositive();
            });

            long before = rowsPushed(page);
            freshBooks.generator().step(40); // changes stream through webhooks
            awaitPage("the row count grows while changes stream", () ->
                    assertThat(rowsPushed(page)).isGreaterThan(before));
            awaitPage("events in the chart and a freshness figure", () -> {
                assertThat(Long.parseLong(page.locator("#chart-events").getAttribute("data-max"))).isPositive();
                assertThat(Long.parseLong(page.locator("#chart-rows").getAttribute("data-max"))).isPositive();
                assertThat(page.locator("#freshness-hour").textContent()).endsWith(" s");
            });
            awaitQuiet(operations);

            // A value Power BI refuses (not about the schema): the expense's batch is quarantined.
            String tenant = tenants.get(0).tenantId();
            long expenseId = freshBooks.store().all(tenant, Resource.EXPENSES).stream()
                    .filter(e -> e.path("vis_state").asInt() == 0).findFirst().orElseThrow().path("id").asLong();
            powerBi.refuseValue("Refused Vendor");
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Refused Vendor"), ACTOR);
            Locator quarantined = page.locator("#quarantined li[data-batch]");
            awaitPage("the quarantined batch with its replay button", () -> {
                assertThat(quarantined.count()).isEqualTo(1);
                assertThat(quarantined.first().textContent()).contains("expenses", "Refused Vendor");
                assertThat(page.locator("#attention-list").textContent()).contains("1 quarantined batch");
            });
            // The cause is fixed in FreshBooks; once its rows wait behind the quarantined one (as StatusReplayIT), replay.
            freshBooks.store().update(tenant, Resource.EXPENSES, expenseId, vendor("Springfield Supplies"), ACTOR);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                Operations.Status status = operations.status();
                assertThat(status.inboxPending()).as("events waiting").isZero();
                assertThat(status.outboxUnsent()).as("the quarantined row, its reversal and the fixed row, at least")
                        .isGreaterThanOrEqualTo(3);
            });
            quarantined.first().locator("button.replay").click();
            awaitPage("the replay cleared the quarantine", () -> {
                assertThat(quarantined.count()).isZero();
                assertThat(page.locator("#quarantined .none").textContent()).isEqualTo("None.");
            });
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(operations.status().quarantined()).as("quarantined batches in the store").isEmpty());

            // A column Power BI's table lacks: the table is blocked, and the page says how to fix it.
            removeColumn(world, operations.status().datasetId());
            Locator blocked = page.locator("#attention-list li.blocked-table[data-table='" + BLOCKED_TABLE + "']");
            // Payments' notes change: their rows are refused for the missing column, one by one after bisection, until
            // the pusher concludes the table is wrong (PushPolicy: 8 single rows in a row) and blocks it.
            List<ObjectNode> payments = tenants.stream().flatMap(t -> freshBooks.store().all(t.tenantId(), Resource.PAYMENTS)
                    .stream().filter(p -> p.path("vis_state").asInt() == 0).map(p -> p.put("tenant", t.tenantId())))
                    .limit(12).toList();
            assertThat(payments).as("payments to change").hasSizeGreaterThanOrEqualTo(8);
            for (ObjectNode payment : payments) {
                freshBooks.store().update(payment.path("tenant").asString(), Resource.PAYMENTS, payment.path("id").asLong(),
                        JsonNodeFactory.instance.objectNode().put("note", "Changed by the status page test"), ACTOR);
            }
            awaitPage("the blocked table with its fix", () -> {
                assertThat(blocked.textContent()).contains(BLOCKED_COLUMN, "mlc dataset sync");
                assertThat(page.locator("#tables tr[data-table='" + BLOCKED_TABLE + "']").textContent())
                        .contains("blocked", "mlc dataset sync");
            });
            page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "status-page.png")).setFullPage(true));

            BrowserContext phone = browser.newContext(new Browser.NewContextOptions().setViewportSize(375, 740)
                    .setIsMobile(true).setHasTouch(true).setDeviceScaleFactor(2));
            Page small = phone.newPage();
            small.navigate(admin + "/");
            signIn(small, TOKEN);
            awaitPage("the page on a phone", () -> {
                assertThat(small.locator("#businesses tr[data-tenant]").count()).isEqualTo(tenants.size());
                assertThat(small.locator("#attention-list li.blocked-table").count()).isEqualTo(1);
            });
            Object overflow = small.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(((Number) overflow).intValue()).as("pixels wider than a 375 px screen").isLessThanOrEqualTo(0);
            small.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target", "status-page-phone.png"))
                    .setFullPage(true));

            assertThat(consoleErrors).as("console errors (a CSP violation is one)").isEmpty();
        }
    }

    /** The sign-in form: the admin token, once per browser session. */
    private static void signIn(Page page, String token) {
        page.locator("#token").fill(token);
        page.locator("form button[type=submit]").click();
        page.waitForLoadState();
    }

    /** The "Rows pushed" figure as a number ("1,234" → 1234; "–" before the first answer → -1). */
    private static long rowsPushed(Page page) {
        String text = page.locator("#rows-pushed").textContent().replace(",", "").strip();
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    /** Awaits an assertion about the page; Playwright is single-threaded, so the poll runs in this thread. */
    private static void awaitPage(String what, Runnable assertion) {
        await(what).atMost(Duration.ofSeconds(90)).pollInSameThread().pollInterval(Duration.ofMillis(500))
                .untilAsserted(assertion::run);
    }

    private static void awaitQuiet(Operations operations) {
        await("nothing waits").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Operations.Status status = operations.status();
            assertThat(status.inboxPending()).isZero();
            assertThat(status.outboxUnsent()).isZero();
        });
    }

    private static ObjectNode vendor(String name) {
        return JsonNodeFactory.instance.objectNode().put("vendor", name);
    }

    /** What a user changing the dataset by hand would do: PUT the table with one column left out (SchemaMismatchIT). */
    private static void removeColumn(DemoWorld world, String datasetId) {
        DatasetModel.Table full = DatasetModel.PAYMENTS;
        DatasetModel.Table reduced = new DatasetModel.Table(full.name(),
                full.columns().stream().filter(c -> !c.name().equals(BLOCKED_COLUMN)).toList(), full.measures());
        world.simulators().powerBi().store().putTable(world.simulators().demoApp().clientId(),
                world.simulators().demoWorkspaceId(), datasetId, BLOCKED_TABLE, DatasetModel.toTableJson(reduced));
    }
}
