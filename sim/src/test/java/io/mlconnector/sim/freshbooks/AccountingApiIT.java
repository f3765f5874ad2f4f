package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AccountingApiIT {

    private static final String ACCT = "ACM123";

    private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private FreshBooksSimulator sim;
    private String api;
    private String token;

    @BeforeEach
    void start() {
        start(FreshBooksConfig.demo());
    }

    private void start(FreshBooksConfig config) {
        if (sim != null) {
            sim.close();
        }
        sim = new FreshBooksSimulator(config, clock).start(0);
        api = sim.baseUrl() + "/accounting/account/" + ACCT + "/";
        token = sim.demoTokens(null).accessToken();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** Moves the clock and takes a fresh token (a 12-hour token would have expired across months). */
    private void at(String instant) {
        clock.set(Instant.parse(instant));
        token = sim.demoTokens(null).accessToken();
    }

    private long createClient(String org) {
        JsonNode c = Http.json("POST", api + "users/clients", token,
                "{\"client\":{\"organization\":\"" + org + "\",\"fname\":\"Gordon\",\"lname\":\"Shumway\"}}").json();
        return c.at("/response/result/client/id").asLong();
    }

    /** The logs a test counts reads and changes with: each answered request, and each change FreshBooks reports. */
    @Test
    void requestsAndChangesAreLogged() {
        long id = createClient("Logged Inc");
        Http.get(api + "users/clients/" + id + "?include[]=x", token);
        Http.get(api + "users/clients/999999", token);
        Http.get(sim.baseUrl() + "/sim/truth/" + ACCT, null);

        assertThat(sim.requestLog()).extracting(ApiRequest::method, ApiRequest::path, ApiRequest::status).containsSubsequence(
                tuple("POST", "/accounting/account/ACM123/users/clients", 200),
                tuple("GET", "/accounting/account/ACM123/users/clients/" + id, 200),
                tuple("GET", "/accounting/account/ACM123/users/clients/999999", 404));
        assertThat(sim.requestLog()).noneMatch(r -> r.path().startsWith("/sim/"));
        assertThat(sim.changeLog()).extracting(c -> c.event().name(), c -> c.event().objectId(), c -> c.at())
                .containsExactly(tuple("client.create", id, clock.instant()));
    }

    @Test
    void pagingCapsPerPageAndHandlesPastTheEndAndPageZero() {
        Actor owner = sim.ownerActor(ACCT);
        for (int i = 0; i < 120; i++) {
            sim.store().create(ACCT, Resource.CLIENTS, Json.MAPPER.createObjectNode().put("organization", "Org " + i), owner);
        }

        JsonNode dflt = Http.get(api + "users/clients", token).json().at("/response/result");
        assertThat(dflt.get("clients").size()).isEqualTo(15);
        assertThat(dflt.get("per_page").asInt()).isEqualTo(15);
        assertThat(dflt.get("total").asInt()).isEqualTo(120);
        assertThat(dflt.get("pages").asInt()).isEqualTo(8);

        JsonNode capped = Http.get(api + "users/clients?per_page=500", token).json().at("/response/result");
        assertThat(capped.get("clients").size()).isEqualTo(100);
        assertThat(capped.get("per_page").asInt()).isEqualTo(100);
        assertThat(capped.get("pages").asInt()).isEqualTo(2);

        JsonNode second = Http.get(api + "users/clients?per_page=100&page=2", token).json().at("/response/result");
        assertThat(second.get("clients").size()).isEqualTo(20);

        JsonNode past = Http.get(api + "users/clients?per_page=100&page=3", token).json().at("/response/result");
        assertThat(past.get("clients").size()).isZero();
        assertThat(past.get("page").asInt()).isEqualTo(3);
        assertThat(past.get("total").asInt()).isEqualTo(120);

        JsonNode zero = Http.get(api + "users/clients?page=0", token).json().at("/response/result");
        assertThat(zero.get("page").asInt()).isEqualTo(1);
        assertThat(zero.get("clients").get(0).get("organization").asString()).isEqualTo("Org 0");

        Http.Res bad = Http.get(api + "users/clients?page=abc", token);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().at("/response/errors/0/errno").asInt()).isEqualTo(1014);
        assertThat(Http.get(api + "users/clients?per_page=x", token).json().at("/response/errors/0/errno").asInt())
                .isEqualTo(1013);
    }

    @Test
    void emptyListEnvelope() {
        JsonNode r = Http.get(api + "payments/payments", token).json().at("/response/result");
        assertThat(r.get("payments").size()).isZero();
        assertThat(r.get("page").asInt()).isEqualTo(1);
        assertThat(r.get("pages").asInt()).isZero();
        assertThat(r.get("total").asInt()).isZero();
    }

    @Test
    void updatedFiltersUseEasternDaysAcrossTheDstChange() {
        // 2024-11-03 is the 25-hour day when US/Eastern falls back (EDT -04:00 until 06:00Z, then EST -05:00)
        List<String> instants = List.of(
                "2024-11-03T03:59:59Z",   // 2024-11-02 23:59:59 EDT
                "2024-11-03T04:00:00Z",   // 2024-11-03 00:00:00 EDT
                "2024-11-04T04:30:00Z",   // 2024-11-03 23:30:00 EST (already Nov 4 in UTC)
                "2024-11-04T05:00:00Z");  // 2024-11-04 00:00:00 EST
        List<Long> ids = new ArrayList<>();
        for (String t : instants) {
            at(t);
            ids.add(createClient("At " + t));
        }
        JsonNode created = Http.get(api + "users/clients/" + ids.get(2), token).json().at("/response/result/client");
        assertThat(created.get("updated").asString()).isEqualTo("2024-11-03 23:30:00");
        assertThat(created.get("signup_date").asString()).isEqualTo("2024-11-04 04:30:00"); // UTC field

        JsonNode day = Http.get(api + "users/clients?search[updated_min]=2024-11-03&search[updated_max]=2024-11-04", token)
                .json().at("/response/result/clients");
        assertThat(idsOf(day)).containsExactly(ids.get(1), ids.get(2));

        JsonNode from = Http.get(api + "users/clients?search%5Bupdated_min%5D=2024-11-04", token).json()
                .at("/response/result/clients");
        assertThat(idsOf(from)).containsExactly(ids.get(3));

        JsonNode before = Http.get(api + "users/clients?search[updated_max]=2024-11-03", token).json()
                .at("/response/result/clients");
        assertThat(idsOf(before)).containsExactly(ids.get(0));

        Http.Res datetime = Http.get(api + "users/clients?search[updated_min]=2024-11-03T00:00:00", token);
        assertThat(datetime.status()).isEqualTo(400);
        assertThat(datetime.json().at("/response/errors/0/field").asString()).isEqualTo("updated_min");
    }

    @Test
    void springForwardDayIsJudgedInEasternTime() {
        at("2024-03-10T06:59:59Z"); // 01:59:59 EST
        long a = createClient("before");
        at("2024-03-10T07:00:00Z"); // 03:00:00 EDT
        long b = createClient("after");
        at("2024-03-11T03:59:59Z"); // 2024-03-10 23:59:59 EDT
        long c = createClient("late");

        assertThat(Http.get(api + "users/clients/" + b, token).json().at("/response/result/client/updated").asString())
                .isEqualTo("2024-03-10 03:00:00");
        JsonNode day = Http.get(api + "users/clients?search[updated_min]=2024-03-10&search[updated_max]=2024-03-11", token)
                .json().at("/response/result/clients");
        assertThat(idsOf(day)).containsExactly(a, b, c);
    }

    @Test
    void visStateListingAndGetOfDeletedRecord() {
        long client = createClient("Vis");
        long active = createInvoice(client, "{\"name\":\"A\",\"qty\":\"1\",\"unit_cost\":{\"amount\":\"10.00\"}}");
        long archived = createInvoice(client, "{\"name\":\"B\",\"qty\":\"1\",\"unit_cost\":{\"amount\":\"10.00\"}}");
        long deleted = createInvoice(client, "{\"name\":\"C\",\"qty\":\"1\",\"unit_cost\":{\"amount\":\"10.00\"}}");
        long httpDeleted = createInvoice(client, "{\"name\":\"D\",\"qty\":\"1\",\"unit_cost\":{\"amount\":\"10.00\"}}");

        // the update-phase rule: with vis_state present, the other keys are ignored
        JsonNode arch = Http.json("PUT", api + "invoices/invoices/" + archived, token,
                "{\"invoice\":{\"vis_state\":2,\"notes\":\"ignored\"}}").json().at("/response/result/invoice");
        assertThat(arch.get("vis_state").asInt()).isEqualTo(2);
        assertThat(arch.get("notes").asString()).isEmpty();
        Http.json("PUT", api + "invoices/invoices/" + deleted, token, "{\"invoice\":{\"vis_state\":1}}");
        Http.Res del = Http.send("DELETE", api + "invoices/invoices/" + httpDeleted, token, null, null);
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json().toString()).isEqualTo("{\"response\":{}}");

        assertThat(idsOf(Http.get(api + "invoices/invoices", token).json().at("/response/result/invoices")))
                .containsExactly(active, archived);
        assertThat(idsOf(Http.get(api + "invoices/invoices?search[vis_state]=1", token).json()
                .at("/response/result/invoices"))).containsExactly(deleted, httpDeleted);
        assertThat(idsOf(Http.get(api + "invoices/invoices?search[vis_state]=0", token).json()
                .at("/response/result/invoices"))).containsExactly(active);
        assertThat(idsOf(Http.get(api + "invoices/invoices?search[vis_state]=2", token).json()
                .at("/response/result/invoices"))).containsExactly(archived);

        Http.Res get = Http.get(api + "invoices/invoices/" + deleted, token);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.json().at("/response/result/invoice/vis_state").asInt()).isEqualTo(1);
    }

    @Test
    void deletedGetCanBeSwitchedTo404() {
        start(FreshBooksConfig.demo().withBehaviour(FreshBooksConfig.Behaviour.strict().withDeletedGetReturns404(true)));
        long client = createClient("Gone");
        Http.json("PUT", api + "users/clients/" + client, token, "{\"client\":{\"vis_state\":1}}");
        Http.Res r = Http.get(api + "users/clients/" + client, token);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().at("/response/errors/0/errno").asInt()).isEqualTo(1012);
    }

    @Test
    void unknownIdIs404Errno1012InLegacyAndNewFormats() {
        Http.Res r = Http.get(api + "users/clients/12345", token);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.json().toString()).isEqualTo("{\"response\":{\"errors\":[{\"errno\":1012,\"field\":\"userid\","
                + "\"message\":\"Client not found.\",\"object\":\"client\",\"value\":\"12345\"}]}}");

        Http.Res versioned = sendWithHeader(api + "users/clients/12345", "X-API-VERSION", "2023-02-20");
        assertThat(versioned.status()).isEqualTo(404);
        assertThat(versioned.json().get("code").asInt()).isEqualTo(5);
        assertThat(versioned.json().at("/details/0/reason").asString()).isEqualTo("1012");
    }

    private Http.Res sendWithHeader(String url, String name, String value) {
        try {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Authorization", "Bearer " + token).header(name, value).GET().build();
            var res = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Http.Res(res.statusCode(), res.body(), res.headers());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void invoiceArithmeticAndPaymentsOverHttp() {
        long client = createClient("Gordon Shumway");
        long inv = createInvoice(client, "{\"name\":\"Bowls\",\"qty\":\"4\",\"unit_cost\":{\"amount\":\"5.00\"},"
                + "\"taxName1\":\"HST1\",\"taxAmount1\":\"13\"},"
                + "{\"name\":\"Plates\",\"qty\":\"2\",\"unit_cost\":{\"amount\":\"12.00\"}}", "\"discount_value\":\"10\",");

        JsonNode withLines = Http.get(api + "invoices/invoices/" + inv + "?include[]=lines", token).json()
                .at("/response/result/invoice");
        assertThat(withLines.get("amount").toString()).isEqualTo("{\"amount\":\"41.94\",\"code\":\"CAD\"}");
        assertThat(withLines.at("/discount_total/amount").asString()).isEqualTo("-4.40");
        assertThat(withLines.at("/lines/0/amount/amount").asString()).isEqualTo("20.00");
        assertThat(withLines.at("/lines/0/taxAmount1").asString()).isEqualTo("13");
        assertThat(withLines.get("v3_status").asString()).isEqualTo("draft");
        assertThat(withLines.get("updated").asString()).isEqualTo("2024-03-01 07:00:00");
        assertThat(Http.get(api + "invoices/invoices/" + inv, token).json().at("/response/result/invoice").has("lines"))
                .isFalse();

        Http.json("PUT", api + "invoices/invoices/" + inv, token, "{\"invoice\":{\"action_mark_as_sent\":true}}");
        JsonNode payment = Http.json("POST", api + "payments/payments", token, "{\"payment\":{\"invoiceid\":" + inv
                + ",\"amount\":{\"amount\":\"20.00\"},\"date\":\"2024-03-01\",\"type\":\"Check\"}}").json()
                .at("/response/result/payment");
        assertThat(payment.get("logid").asLong()).isEqualTo(payment.get("id").asLong());
        assertThat(payment.get("clientid").asLong()).isEqualTo(client);

        JsonNode after = Http.get(api + "invoices/invoices/" + inv, token).json().at("/response/result/invoice");
        assertThat(after.at("/paid/amount").asString()).isEqualTo("20.00");
        assertThat(after.at("/outstanding/amount").asString()).isEqualTo("21.94");
        assertThat(after.get("status").asInt()).isEqualTo(8);

        Http.Res over = Http.json("POST", api + "payments/payments", token, "{\"payment\":{\"invoiceid\":" + inv
                + ",\"amount\":{\"amount\":\"50.00\"}}}");
        assertThat(over.status()).isEqualTo(400);
        assertThat(over.json().at("/response/errors/0/field").asString()).isEqualTo("amount");

        Http.json("POST", api + "payments/payments", token, "{\"payment\":{\"invoiceid\":" + inv
                + ",\"amount\":{\"amount\":\"21.94\"}}}");
        JsonNode paid = Http.get(api + "invoices/invoices/" + inv, token).json().at("/response/result/invoice");
        assertThat(paid.get("payment_status").asString()).isEqualTo("paid");
        assertThat(paid.at("/outstanding/amount").asString()).isEqualTo("0.00");
        assertThat(paid.get("date_paid").asString()).isEqualTo("2024-03-01");
    }

    @Test
    void putChangesOnlyGivenKeys() {
        long client = createClient("Keep");
        JsonNode r = Http.json("PUT", api + "users/clients/" + client, token, "{\"client\":{\"email\":\"a@b.example\"}}")
                .json().at("/response/result/client");
        assertThat(r.get("email").asString()).isEqualTo("a@b.example");
        assertThat(r.get("organization").asString()).isEqualTo("Keep");
        assertThat(r.get("fname").asString()).isEqualTo("Gordon");
    }

    @Test
    void billsEmbedBillPaymentsWithUtcTimestamps() {
        Actor owner = sim.ownerActor(ACCT);
        long category = sim.store().create(ACCT, Resource.CATEGORIES, Json.MAPPER.createObjectNode().put("category", "Rent"),
                owner).get("id").asLong();
        JsonNode vendor = Http.json("POST", api + "bill_vendors/bill_vendors", token,
                "{\"bill_vendor\":{\"vendor_name\":\"Landlord\"}}").json().at("/response/result/bill_vendor");
        long vendorId = vendor.get("vendorid").asLong();
        assertThat(vendor.get("created_at").asString()).isEqualTo("2024-03-01 12:00:00");

        JsonNode bill = Http.json("POST", api + "bills/bills", token, "{\"bill\":{\"vendorid\":" + vendorId
                + ",\"issue_date\":\"2024-03-01\",\"lines\":[{\"categoryid\":" + category
                + ",\"quantity\":\"2\",\"unit_cost\":{\"amount\":\"100.00\"},\"tax_name1\":\"HST\",\"tax_percent1\":\"13\"}]}}")
                .json().at("/response/result/bill");
        assertThat(bill.at("/total_amount/amount").asString()).isEqualTo("226.00");
        assertThat(bill.get("updated_at").asString()).isEqualTo("2024-03-01 12:00:00");

        Http.json("POST", api + "bill_payments/bill_payments", token, "{\"bill_payment\":{\"billid\":"
                + bill.get("id").asLong() + ",\"amount\":{\"amount\":\"26.00\"},\"paid_date\":\"2024-03-02\"}}");
        JsonNode after = Http.get(api + "bills/bills/" + bill.get("id").asLong(), token).json().at("/response/result/bill");
        assertThat(after.at("/bill_payments/0/amount/amount").asString()).isEqualTo("26.00");
        assertThat(after.at("/outstanding/amount").asString()).isEqualTo("200.00");
        assertThat(after.get("status").asString()).isEqualTo("partial");
    }

    @Test
    void ledgerAccountsUseDataEnvelope() {
        String base = sim.baseUrl() + "/accounting/businesses/" + FreshBooksConfig.DEMO_ACME.businessUuid()
                + "/ledger_accounts/accounts";
        JsonNode list = Http.get(base, token).json();
        assertThat(list.get("data").size()).isGreaterThanOrEqualTo(5);
        String uuid = list.at("/data/0/uuid").asString();
        assertThat(Http.get(base + "/" + uuid, token).json().at("/data/name").asString()).isEqualTo("Cash");
        Http.Res missing = Http.get(base + "/nope", token);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().at("/errors/status").asInt()).isEqualTo(404);
    }

    @Test
    void injectedThrottleAndServerErrors() {
        sim.apiFaults().add(FaultInjector.Rule.throttle(1.0, 7).onPathsContaining("/invoices/"));
        Http.Res r = Http.get(api + "invoices/invoices", token);
        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).isEqualTo("7");
        assertThat(r.json().at("/response/errors/0/errno").asInt()).isEqualTo(429);
        assertThat(Http.get(api + "users/clients", token).status()).isEqualTo(200);

        sim.apiFaults().clear();
        sim.apiFaults().add(FaultInjector.Rule.serverError(1.0, 503)
                .during(clock.instant().plusSeconds(60), clock.instant().plusSeconds(120)));
        assertThat(Http.get(api + "users/clients", token).status()).isEqualTo(200);
        clock.advance(java.time.Duration.ofSeconds(90));
        assertThat(Http.get(api + "users/clients", token).status()).isEqualTo(503);
        assertThat(Http.get(sim.baseUrl() + "/sim/truth/" + ACCT, null).status()).isEqualTo(200);
    }

    @Test
    void truthEndpointSumsMoney() {
        long client = createClient("Truth");
        createInvoice(client, "{\"name\":\"A\",\"qty\":\"3\",\"unit_cost\":{\"amount\":\"10.00\"}}");
        long gone = createInvoice(client, "{\"name\":\"B\",\"qty\":\"1\",\"unit_cost\":{\"amount\":\"99.00\"}}");
        long kept = createInvoice(client, "{\"name\":\"C\",\"qty\":\"1\",\"unit_cost\":{\"amount\":\"5.00\"}}");
        Http.send("DELETE", api + "invoices/invoices/" + gone, token, null, null);
        Http.json("PUT", api + "invoices/invoices/" + kept, token, "{\"invoice\":{\"vis_state\":2}}");

        JsonNode t = Http.get(sim.baseUrl() + "/sim/truth/" + ACCT, null).json();
        assertThat(t.at("/tables/invoices/count").asInt()).isEqualTo(2);
        assertThat(t.at("/tables/invoices/archived").asInt()).isEqualTo(1);
        assertThat(t.at("/tables/invoices/sums/amount").asString()).isEqualTo("35.00");
        assertThat(t.at("/tables/invoice_lines/count").asInt()).isEqualTo(2);
        assertThat(t.at("/tables/clients/count").asInt()).isEqualTo(1);
        assertThat(sim.truth(ACCT).table("invoices").sum("outstanding")).isEqualByComparingTo("35.00");
    }

    private long createInvoice(long client, String linesJson) {
        return createInvoice(client, linesJson, "");
    }

    private long createInvoice(long client, String linesJson, String extra) {
        Http.Res r = Http.json("POST", api + "invoices/invoices", token, "{\"invoice\":{" + extra + "\"customerid\":"
                + client + ",\"create_date\":\"2024-03-01\",\"lines\":[" + linesJson + "]}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().at("/response/result/invoice/id").asLong();
    }

    private static List<Long> idsOf(JsonNode items) {
        List<Long> ids = new ArrayList<>();
        items.forEach(i -> ids.add(i.get("id").asLong()));
        return ids;
    }
}
