package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.store.Callback;
import io.mlconnector.store.Database;
import io.mlconnector.store.InboxEvent;
import io.mlconnector.store.TestDatabases;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook endpoint over real HTTP on loopback, storing into an H2 file. */
class WebhookIntakeIT {

    static final String VERIFIER = "scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd";
    static final String BODY = "name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";
    static final String SIGNATURE = "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=";
    static final String OTHER_BODY = "name=invoice.update&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";

    @TempDir
    Path dir;
    WebhookTestServer server;
    String token;

    @BeforeEach
    void start() {
        server = new WebhookTestServer(dir);
        token = server.verifiedCallback("6BApk", 2001, VERIFIER);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void goodSignatureIsStoredOnceThen204() throws Exception {
        HttpResponse<String> response = server.post(token, BODY, SIGNATURE);

        assertThat(response.statusCode()).isEqualTo(204);
        List<InboxEvent> stored = server.database.jdbi().withHandle(h -> server.inboxRepository.listByTenant(h, "6BApk"));
        assertThat(stored).singleElement().satisfies(event -> {
            assertThat(event.eventName()).isEqualTo("invoice.create");
            assertThat(event.objectType()).isEqualTo("invoice");
            assertThat(event.objectId()).isEqualTo("1234567");
            assertThat(event.uriToken()).isEqualTo(token);
            assertThat(event.fieldsJson()).isEqualTo("{\"name\": \"invoice.create\", \"object_id\": \"1234567\", \"account_id\": \"6BApk\","
                    + " \"business_id\": \"6543\", \"identity_id\": \"1234\", \"user_id\": \"1\"}");
        });
        assertThat(server.meters.counter("webhook_accepted", "kind", "event").count()).isEqualTo(1);
    }

    @Test
    void badRequestsGet4xxAndStoreNothing() throws Exception {
        String otherSignature = WebhookSignature.sign(WebhookSignature.parseForm(OTHER_BODY), VERIFIER);
        String unverifiedToken = server.callbacks.createPending("6BApk", "invoice").uriToken();

        assertRejected(server.post(token, BODY, "ENwe/8MKygI95fsgnoIq4e1NnxOVl/8jdAncDoXm2/k="), 401, "bad_signature");
        assertRejected(server.post(token, BODY, null), 401, "missing_signature");
        assertRejected(server.post(token, BODY, otherSignature), 401, "bad_signature");
        assertRejected(server.post(token, BODY, WebhookSignature.sign(WebhookSignature.parseForm(BODY), "another-verifier")), 401, "bad_signature");
        assertRejected(server.post("unknown-token", BODY, SIGNATURE), 404, "unknown_token");
        assertRejected(server.post(unverifiedToken, BODY, SIGNATURE), 401, "callback_not_verified");
        assertRejected(server.post(token, BODY + "&pad=" + "x".repeat(WebhookIntake.MAX_BODY_BYTES), SIGNATURE), 413, "body_too_large");
        assertRejected(server.post(token, "name=invoice.create&&object_id=1", SIGNATURE), 400, "malformed_form");
        assertRejected(server.post(token, "{\"name\": \"invoice.create\"}", SIGNATURE), 400, "malformed_form");
        assertRejected(server.post(token, "", SIGNATURE), 400, "malformed_form");
        assertRejected(server.post(token, "name=invoice.create&account_id=6BApk", SIGNATURE), 400, "missing_field");
        assertRejected(server.post(token, BODY.replace("6BApk", "OTHER"), SIGNATURE), 400, "wrong_account");

        assertThat(server.inboxCount()).isZero();
        assertThat(server.meters.counter("webhook_rejected", "reason", "bad_signature").count()).isEqualTo(3);
    }

    @Test
    void oversizedChunkedBodyIsRefusedWithoutReadingItAll() throws Exception {
        byte[] big = ("name=invoice.create&pad=" + "x".repeat(200_000)).getBytes();
        HttpResponse<String> response = server.post(server.hookUri(token),
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)), SIGNATURE);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(server.inboxCount()).isZero();
    }

    @Test
    void verificationHandshakeStoresTheVerifierAndTellsTheListener() throws Exception {
        Callback pending = server.callbacks.createPending("6BApk", "invoice.create");
        server.callbacks.setCallbackId(pending.uriToken(), 778599);
        String verify = "user_id=214214&name=callback.verify&verifier=xf8pABCqR&object_id=778599&account_id=6BApk"
                + "&system=https%3A%2F%2Fthumbworks.freshbooks.com";

        assertRejected(server.post(pending.uriToken(), verify.replace("778599", "1"), null), 400, "verify_for_other_callback");
        HttpResponse<String> response = server.post(pending.uriToken(), verify, null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(server.callbacks.findWithVerifier(pending.uriToken()).orElseThrow().verifier()).isEqualTo("xf8pABCqR");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.verifiedTokens.contains(pending.uriToken()));
        assertThat(server.inboxCount()).isZero();

        // Once verified, a (possibly forged, since unsigned) verify message changes nothing.
        server.callbacks.markVerified(pending.uriToken());
        assertThat(server.post(pending.uriToken(), verify.replace("xf8pABCqR", "forged"), null).statusCode()).isEqualTo(200);
        assertThat(server.callbacks.findWithVerifier(pending.uriToken()).orElseThrow().verifier()).isEqualTo("xf8pABCqR");
        assertThat(server.verifiedTokens).containsExactly(pending.uriToken());
    }

    @Test
    void aHandshakeFinishedAgainIsJudgedOnTheStoreNotOnTheCacheOfVerifiedCallbacks() throws Exception {
        assertThat(server.post(token, BODY, SIGNATURE).statusCode()).isEqualTo(204); // the callback is now cached as verified
        // Its handshake is lost in the store (as mlc webhooks repair finds it), then FreshBooks sends it again.
        server.database.jdbi().useHandle(h -> h.createUpdate(
                "UPDATE callback SET verified = FALSE, verifier_enc = NULL, verified_at = NULL WHERE uri_token = :t")
                .bind("t", token).execute());
        String verify = "user_id=1&name=callback.verify&verifier=" + VERIFIER + "&object_id=2001&account_id=6BApk";

        assertThat(server.post(token, verify, null).statusCode()).isEqualTo(200);

        assertThat(server.callbacks.findWithVerifier(token).orElseThrow().verifier()).isEqualTo(VERIFIER);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.verifiedTokens.contains(token));
    }

    @Test
    void verifyBeforeTheCallbackIdIsKnownIsAccepted() throws Exception {
        Callback pending = server.callbacks.createPending("6BApk", "invoice.create");

        HttpResponse<String> response = server.post(pending.uriToken(),
                "name=callback.verify&verifier=v1&object_id=42&account_id=6BApk", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(server.callbacks.findWithVerifier(pending.uriToken()).orElseThrow().verifier()).isEqualTo("v1");
    }

    @Test
    void concurrentDeliveriesAreEachStoredOnce() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 1; i <= 200; i++) {
                String body = BODY.replace("1234567", String.valueOf(i));
                String signature = WebhookSignature.sign(WebhookSignature.parseForm(body), VERIFIER);
                statuses.add(clients.submit(() -> server.post(token, body, signature).statusCode()));
            }
            for (Future<Integer> status : statuses) {
                assertThat(status.get()).isEqualTo(204);
            }
        } finally {
            clients.shutdownNow();
        }

        List<InboxEvent> stored = server.database.jdbi().withHandle(h -> server.inboxRepository.listByTenant(h, "6BApk"));
        Set<String> ids = stored.stream().map(InboxEvent::objectId).collect(Collectors.toSet());
        assertThat(stored).hasSize(200);
        assertThat(ids).isEqualTo(IntStream.rangeClosed(1, 200).mapToObj(String::valueOf).collect(Collectors.toSet()));
    }

    @Test
    void storeFailureAnswers503AndStoresNothing(@TempDir Path other) throws Exception {
        server.close();
        Database broken = TestDatabases.h2(other.resolve("broken"));
        broken.close(); // every insert now fails
        server = new WebhookTestServer(other, TestDatabases.h2(other), broken);
        String freshToken = server.verifiedCallback("6BApk", 2001, VERIFIER);

        HttpResponse<String> response = server.post(freshToken, BODY, SIGNATURE);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(server.inboxCount()).isZero();
    }

    @Test
    void healthAnswers() throws Exception {
        HttpResponse<String> response = server.http().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.app.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"status\":\"up\"}");
    }

    private static void assertRejected(HttpResponse<String> response, int status, String reason) {
        assertThat(response.statusCode()).as(reason).isEqualTo(status);
        assertThat(response.body()).isEqualTo(reason);
    }
}
