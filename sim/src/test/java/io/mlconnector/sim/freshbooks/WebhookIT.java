package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.javalin.Javalin;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The events service end to end, against a small receiving server playing the connector. */
class WebhookIT {

    private static final String ACCT = "ACM123";
    private static final Duration WAIT = Duration.ofSeconds(10);

    record Received(String path, String contentType, String signature, String body) {
        LinkedHashMap<String, String> form() {
            return WebhookSignature.parseForm(body);
        }

        String name() {
            return form().get("name");
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T12:00:00Z"));
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresToServe = new AtomicInteger();
    private Javalin receiver;
    private FreshBooksSimulator sim;
    private String events;
    private String api;
    private String token;

    @BeforeEach
    void start() {
        receiver = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.port = 0;
            cfg.routes.post("/hooks/{name}", ctx -> {
                received.add(new Received(ctx.path(), ctx.contentType(), ctx.header(WebhookSignature.HEADER), ctx.body()));
                ctx.status(failuresToServe.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 204);
            });
        }).start();
        sim = new FreshBooksSimulator(FreshBooksConfig.demo(), clock).start(0);
        events = sim.baseUrl() + "/events/account/" + ACCT + "/events/callbacks";
        api = sim.baseUrl() + "/accounting/account/" + ACCT + "/";
        token = sim.demoTokens(null).accessToken();
    }

    @AfterEach
    void stop() {
        sim.close();
        receiver.stop();
    }

    private String hook(String name) {
        return "http://localhost:" + receiver.port() + "/hooks/" + name;
    }

    private JsonNode register(String event, String name) {
        Http.Res r = Http.json("POST", events, token,
                "{\"callback\":{\"event\":\"" + event + "\",\"uri\":\"" + hook(name) + "\"}}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().at("/response/result/callback");
    }

    private Received awaitVerification(String name) {
        await().atMost(WAIT).until(() -> verifications(name).size() >= 1);
        return verifications(name).get(0);
    }

    private List<Received> verifications(String name) {
        return received.stream().filter(r -> r.path().endsWith("/" + name) && "callback.verify".equals(r.name())).toList();
    }

    private List<Received> deliveries(String name) {
        return received.stream().filter(r -> r.path().endsWith("/" + name) && !"callback.verify".equals(r.name())).toList();
    }

    /** Register, wait for the verification POST, answer it; returns the verifier. */
    private String registerAndVerify(String event, String name) {
        long id = register(event, name).get("callbackid").asLong();
        String verifier = awaitVerification(name).form().get("verifier");
        Http.Res ok = Http.json("PUT", events + "/" + id, token, "{\"callback\":{\"verifier\":\"" + verifier + "\"}}");
        assertThat(ok.json().at("/response/result/callback/verified").asBoolean()).isTrue();
        return verifier;
    }

    private long createClient() {
        return Http.json("POST", api + "users/clients", token, "{\"client\":{\"organization\":\"Hooked\"}}").json()
                .at("/response/result/client/id").asLong();
    }

    private long createInvoice(long client) {
        return Http.json("POST", api + "invoices/invoices", token, "{\"invoice\":{\"customerid\":" + client
                + ",\"lines\":[{\"name\":\"X\",\"qty\":\"2\",\"unit_cost\":{\"amount\":\"50.00\"}}]}}").json()
                .at("/response/result/invoice/id").asLong();
    }

    @Test
    void verificationHandshakeGatesDeliveries() {
        JsonNode cb = register("invoice", "a");
        assertThat(cb.get("verified").asBoolean()).isFalse();
        long callbackId = cb.get("callbackid").asLong();

        Received verify = awaitVerification("a");
        LinkedHashMap<String, String> form = verify.form();
        assertThat(new ArrayList<>(form.keySet()))
                .containsExactly("name", "object_id", "verifier", "account_id", "user_id", "system");
        assertThat(form.get("object_id")).isEqualTo(Long.toString(callbackId));
        assertThat(form.get("account_id")).isEqualTo(ACCT);
        assertThat(form.get("user_id")).isEqualTo("1");
        assertThat(verify.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(verify.signature()).isNull();

        long client = createClient();
        long before = createInvoice(client); // not verified yet: must not be delivered

        Http.Res wrong = Http.json("PUT", events + "/" + callbackId, token, "{\"callback\":{\"verifier\":\"nope\"}}");
        assertThat(wrong.status()).isEqualTo(422);
        assertThat(wrong.json().get("errno").asInt()).isEqualTo(422);
        assertThat(sim.webhooks().get(ACCT, callbackId).orElseThrow().get("verified").asBoolean()).isFalse();

        Http.Res ok = Http.json("PUT", events + "/" + callbackId, token,
                "{\"callback\":{\"callback_id\":" + callbackId + ",\"verifier\":\"" + form.get("verifier") + "\"}}");
        assertThat(ok.json().at("/response/result/callback/verified").asBoolean()).isTrue();

        long inv = createInvoice(client);
        Http.json("PUT", api + "invoices/invoices/" + inv, token, "{\"invoice\":{\"action_mark_as_sent\":true}}");
        await().atMost(WAIT).until(() -> deliveries("a").size() >= 2);

        List<Received> got = deliveries("a");
        assertThat(got).extracting(Received::name).containsExactly("invoice.create", "invoice.update");
        assertThat(got).noneMatch(r -> r.form().get("object_id").equals(Long.toString(before)));
        Received first = got.get(0);
        assertThat(new ArrayList<>(first.form().keySet()))
                .containsExactly("name", "object_id", "account_id", "business_id", "identity_id", "user_id");
        assertThat(first.form()).containsEntry("object_id", Long.toString(inv)).containsEntry("business_id", "439000")
                .containsEntry("identity_id", "12345").containsEntry("user_id", "1");
        assertThat(WebhookSignature.verify(form.get("verifier"), first.form(), first.signature())).isTrue();
        assertThat(first.contentType()).startsWith("application/x-www-form-urlencoded");
    }

    @Test
    void paymentFiresInvoiceUpdateAndBillPaymentFiresOnlyBillUpdate() {
        registerAndVerify("payment", "pay");
        registerAndVerify("invoice.update", "inv");
        registerAndVerify("bill", "bill");
        long inv = createInvoice(createClient());
        Http.json("POST", api + "payments/payments", token,
                "{\"payment\":{\"invoiceid\":" + inv + ",\"amount\":{\"amount\":\"40.00\"}}}");

        Actor owner = sim.ownerActor(ACCT);
        long cat = sim.store().create(ACCT, Resource.CATEGORIES, obj().put("category", "Rent"), owner).get("id").asLong();
        long vendor = sim.store().create(ACCT, Resource.BILL_VENDORS, obj().put("vendor_name", "V"), owner)
                .get("vendorid").asLong();
        ObjectNode billIn = obj().put("vendorid", vendor);
        billIn.putArray("lines").addObject().put("categoryid", cat).put("quantity", "1")
                .putObject("unit_cost").put("amount", "80.00");
        long bill = sim.store().create(ACCT, Resource.BILLS, billIn, owner).get("id").asLong();
        sim.store().create(ACCT, Resource.BILL_PAYMENTS,
                obj().put("billid", bill).set("amount", obj().put("amount", "30.00")), owner);

        await().atMost(WAIT).until(() -> deliveries("pay").size() >= 1 && deliveries("inv").size() >= 1
                && deliveries("bill").size() >= 2);
        assertThat(deliveries("pay")).extracting(Received::name).containsExactly("payment.create");
        assertThat(deliveries("inv")).extracting(Received::name).containsExactly("invoice.update");
        assertThat(deliveries("bill")).extracting(Received::name).containsExactly("bill.create", "bill.update");
    }

    @Test
    void callbackCrudAndEventsErrors() {
        Http.Res bad = Http.json("POST", events, token, "{\"callback\":{\"event\":\"invoice.explode\",\"uri\":\"not a url\"}}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().get("details").toString())
                .contains("event: Value error, Unrecognized event.", "uri: Input should be a valid URL");

        long a = register("invoice", "a").get("callbackid").asLong();
        register("invoice.create", "b");
        register("client", "c");

        JsonNode all = Http.get(events + "?per_page=2", token).json().at("/response/result");
        assertThat(all.get("callbacks").size()).isEqualTo(2);
        assertThat(all.get("total").asInt()).isEqualTo(3);
        assertThat(all.get("pages").asInt()).isEqualTo(2);
        JsonNode filtered = Http.get(events + "?search[event]=invoice.create", token).json().at("/response/result/callbacks");
        assertThat(filtered.size()).isEqualTo(2); // the event and its parent

        Http.Res updated = Http.json("PUT", events + "/" + a, token, "{\"callback\":{\"event\":\"invoice.delete\"}}");
        assertThat(updated.json().at("/response/result/callback/event").asString()).isEqualTo("invoice.delete");

        assertThat(Http.send("DELETE", events + "/" + a, token, null, null).status()).isEqualTo(204);
        Http.Res gone = Http.get(events + "/" + a, token);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().toString()).isEqualTo("{\"errno\":404,\"message\":\"Requested resource could not be found.\"}");

        String narrow = sim.demoTokens("user:profile:read user:clients:read").accessToken();
        Http.Res noScope = Http.json("POST", events, narrow,
                "{\"callback\":{\"event\":\"invoice.create\",\"uri\":\"" + hook("x") + "\"}}");
        assertThat(noScope.status()).isEqualTo(403);
        assertThat(noScope.json().get("message").asString()).contains("Required scopes: user:invoices:read");
    }

    @Test
    void resendRepeatsTheSameVerifier() {
        long id = register("client", "r").get("callbackid").asLong();
        String first = awaitVerification("r").form().get("verifier");
        Http.json("PUT", events + "/" + id, token, "{\"callback\":{\"resend\":true}}");
        await().atMost(WAIT).until(() -> verifications("r").size() >= 2);
        assertThat(verifications("r").get(1).form().get("verifier")).isEqualTo(first);
    }

    @Test
    void duplicateSwitchDeliversTwice() {
        registerAndVerify("client", "d");
        sim.deliveryFaults().duplicateShare(1.0);
        long id = createClient();
        await().atMost(WAIT).until(() -> deliveries("d").size() >= 2);
        assertThat(deliveries("d")).extracting(r -> r.form().get("object_id"))
                .containsExactly(Long.toString(id), Long.toString(id));
    }

    @Test
    void dropSwitchLosesEventsAndLogsThem() {
        registerAndVerify("client", "x");
        sim.deliveryFaults().dropShare(1.0);
        createClient();
        createClient();
        await().atMost(WAIT).until(() -> sim.deliveryLog().stream()
                .filter(a -> a.outcome() == DeliveryAttempt.Outcome.DROPPED).count() == 2);
        sim.deliveryFaults().dropShare(0);
        long kept = createClient();
        await().atMost(WAIT).until(() -> deliveries("x").size() >= 1);
        assertThat(deliveries("x")).extracting(r -> r.form().get("object_id")).containsExactly(Long.toString(kept));
    }

    @Test
    void reorderSwitchShufflesAWindow() {
        registerAndVerify("client", "o");
        sim.deliveryFaults().reorder(6, Duration.ofSeconds(30));
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            created.add(Long.toString(createClient()));
        }
        await().atMost(WAIT).until(() -> deliveries("o").size() >= 6);
        List<String> order = deliveries("o").stream().map(r -> r.form().get("object_id")).toList();
        assertThat(order).containsExactlyInAnyOrderElementsOf(created).isNotEqualTo(created);
    }

    @Test
    void failedDeliveryIsRetriedWithBackoffWhenSwitchedOn() {
        registerAndVerify("client", "f");
        sim.deliveryFaults().retries(3, Duration.ofMillis(50));
        failuresToServe.set(1);
        createClient();
        await().atMost(WAIT).until(() -> deliveries("f").size() >= 2);
        List<DeliveryAttempt> attempts = sim.deliveryLog().stream().filter(a -> !a.isVerification()).toList();
        assertThat(attempts).extracting(DeliveryAttempt::attempt, DeliveryAttempt::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 500), org.assertj.core.groups.Tuple.tuple(2, 204));
    }

    @Test
    void byDefaultAFailedDeliveryIsNotRetried() {
        registerAndVerify("client", "n");
        failuresToServe.set(1);
        createClient();
        await().atMost(WAIT).until(() -> sim.deliveryLog().stream().anyMatch(a -> a.status() == 500));
        long second = createClient();
        await().atMost(WAIT).until(() -> deliveries("n").size() >= 2);
        assertThat(deliveries("n")).hasSize(2);
        assertThat(deliveries("n").get(1).form().get("object_id")).isEqualTo(Long.toString(second));
    }

    private static ObjectNode obj() {
        return Json.MAPPER.createObjectNode();
    }
}
