package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.store.Callback;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 4: the intake stores only what the worker can process. Validly signed deliveries of unknown,
 * wrong-case or other-family events or with malformed object ids, undecodable paths and other methods all get a
 * 4xx (never 5xx) and nothing is stored; each test ends by showing an honest delivery is still stored.
 */
class WebhookBadInputIT {

    static final String VERIFIER = WebhookIntakeIT.VERIFIER;
    static final String ACCOUNT = "6BApk";

    @TempDir
    Path dir;
    WebhookTestServer server;
    String invoiceToken;

    @BeforeEach
    void start() {
        server = new WebhookTestServer(dir);
        invoiceToken = server.verifiedCallback(ACCOUNT, 2001, VERIFIER); // registered for the parent event "invoice"
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void signedEventsOfUnknownOrWrongCaseNamesAre400() throws Exception {
        List<String> names = List.of("CLIENT.CREATE", "Invoice.create", "invoice.Create", "INVOICE.UPDATE", "invoice.sendbyemail",
                "invoice", "invoice.", ".create", "invoice.create.extra", "invoice..create", "invoice.create ", " invoice.create",
                "invoice.pastdue.1", "invoice.dispute", "estimate.create", "x.y", "ledger_account.create", "callback.Verify",
                "callback.verify.x", "invoice.créate");

        for (String name : names) {
            assertRefused(postSigned(invoiceToken, name, "1234567"), 400, "unknown_event", name);
        }

        assertThat(server.meters.counter("webhook_rejected", "reason", "unknown_event").count()).isEqualTo(names.size());
        assertNothingStoredYetAnHonestDeliveryIs();
    }

    @Test
    void signedEventsOfAnotherFamilyAre400() throws Exception {
        String createOnlyToken = verifiedCallback("invoice.create", 2002, "verifier-of-invoice-create");

        for (String name : List.of("payment.create", "client.update", "expense.delete", "bill.create", "bill_vendor.update",
                "category.delete")) {
            assertRefused(postSigned(invoiceToken, name, "1234567"), 400, "wrong_event_family", name);
        }
        for (String name : List.of("invoice.update", "invoice.delete", "invoice.sendByEmail")) {
            assertRefused(postSigned(createOnlyToken, "verifier-of-invoice-create", name, "1234567"), 400,
                    "wrong_event_family", "invoice.create callback gets " + name);
        }

        assertThat(postSigned(createOnlyToken, "verifier-of-invoice-create", "invoice.create", "1").statusCode()).isEqualTo(204);
        assertThat(server.inboxCount()).isEqualTo(1); // the one event that callback was registered for
    }

    @Test
    void signedEventsWithMalformedObjectIdsAre400() throws Exception {
        List<String> ids = List.of("0", "007", "-1", "+1", "1.5", "1e3", "0x1F", "abc", "../1", "1/2", " 1", "1 ", "1,000",
                "１２３", "١٢٣", "1234567890123456789", "9".repeat(64), "%31");

        for (String id : ids) {
            assertRefused(postSigned(invoiceToken, "invoice.update", id), 400, "bad_object_id", "object_id [" + id + "]");
        }

        assertNothingStoredYetAnHonestDeliveryIs();
    }

    @Test
    void verifyMessageWithAMalformedCallbackIdIsRefusedAndTheHandshakeStillWorks() throws Exception {
        Callback pending = server.callbacks.createPending(ACCOUNT, "payment");
        String verify = "name=callback.verify&verifier=v1&object_id=%s&account_id=" + ACCOUNT;

        assertRefused(server.post(pending.uriToken(), verify.formatted("77x"), null), 400, "bad_object_id", "verify");
        assertThat(server.callbacks.findWithVerifier(pending.uriToken()).orElseThrow().verifier()).isNull();

        HttpResponse<String> honest = server.post(pending.uriToken(), verify.formatted("778599"), null);
        assertThat(honest.statusCode()).isEqualTo(200);
        assertThat(server.callbacks.findWithVerifier(pending.uriToken()).orElseThrow().verifier()).isEqualTo("v1");
        assertThat(server.inboxCount()).isZero();
    }

    @Test
    void undecodablePathsAre400() throws Exception {
        List<String> targets = List.of("%u002e", invoiceToken + "%u002e", "%u0041%u0042", "%zz", "%", "%2", invoiceToken + "%g0",
                "%C3%28", "%FF", "%C0%AE", "%ED%A0%80", "%F0%9F%98", invoiceToken + "?x=%u002e");

        for (String target : targets) {
            RawHttp.Answer answer = RawHttp.send(server.app.port(), "POST", "/hooks/freshbooks/" + target, signedHeaders(),
                    WebhookIntakeIT.BODY);
            assertThat(answer.status()).as(target).isEqualTo(400);
        }

        assertNothingStoredYetAnHonestDeliveryIs();
    }

    @Test
    void pathTricksAre4xx() throws Exception {
        List<String> targets = List.of("%2e%2e", "..", "../health", "a%2Fb", invoiceToken + "/x", invoiceToken + "%00",
                invoiceToken + "%20", "%25", invoiceToken.toUpperCase(), invoiceToken.substring(1), "x".repeat(4000));

        for (String target : targets) {
            RawHttp.Answer answer = RawHttp.send(server.app.port(), "POST", "/hooks/freshbooks/" + target, signedHeaders(),
                    WebhookIntakeIT.BODY);
            assertThat(answer.status()).as(target).isBetween(400, 499);
        }

        assertNothingStoredYetAnHonestDeliveryIs();
    }

    @Test
    void otherMethodsAre405NamingPost() throws Exception {
        for (String token : List.of(invoiceToken, "unknown-token")) {
            for (String method : List.of("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY", "PROPFIND", "FOO")) {
                RawHttp.Answer answer = RawHttp.send(server.app.port(), method, "/hooks/freshbooks/" + token);
                assertThat(answer.status()).as(method).isEqualTo(405);
                assertThat(answer.headers()).as(method).containsEntry("allow", "POST");
            }
        }
        RawHttp.Answer put = RawHttp.send(server.app.port(), "PUT", "/hooks/freshbooks/" + invoiceToken, signedHeaders(),
                WebhookIntakeIT.BODY);
        assertThat(put.status()).isEqualTo(405);

        assertNothingStoredYetAnHonestDeliveryIs();
    }

    private void assertNothingStoredYetAnHonestDeliveryIs() throws Exception {
        assertThat(server.inboxCount()).isZero();
        assertThat(server.post(invoiceToken, WebhookIntakeIT.BODY, WebhookIntakeIT.SIGNATURE).statusCode()).isEqualTo(204);
        assertThat(server.inboxCount()).isEqualTo(1);
    }

    private String verifiedCallback(String event, long callbackId, String verifier) {
        Callback callback = server.callbacks.createPending(ACCOUNT, event);
        server.callbacks.setCallbackId(callback.uriToken(), callbackId);
        server.callbacks.storeVerifier(callback.uriToken(), verifier);
        server.callbacks.markVerified(callback.uriToken());
        return callback.uriToken();
    }

    private HttpResponse<String> postSigned(String token, String name, String objectId) throws Exception {
        return postSigned(token, VERIFIER, name, objectId);
    }

    /** A delivery FreshBooks could have signed: only the event name or object id is wrong. */
    private HttpResponse<String> postSigned(String token, String verifier, String name, String objectId) throws Exception {
        String body = "name=" + form(name) + "&object_id=" + form(objectId) + "&account_id=" + ACCOUNT
                + "&business_id=6543&identity_id=1234&user_id=1";
        return server.post(token, body, WebhookSignature.sign(WebhookSignature.parseForm(body), verifier));
    }

    private static Map<String, String> signedHeaders() {
        return Map.of("Content-Type", "application/x-www-form-urlencoded", WebhookSignature.HEADER, WebhookIntakeIT.SIGNATURE);
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void assertRefused(HttpResponse<String> response, int status, String reason, String what) {
        assertThat(response.statusCode()).as(what).isEqualTo(status);
        assertThat(response.body()).as(what).isEqualTo(reason);
    }
}
