package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.freshbooks.WebhookSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10's bad-input test: well over a thousand malformed webhook requests, written byte for byte, across every
 * category an attacker or a broken client tries (missing, truncated and forged signatures; valid signatures over
 * other bodies; oversized and chunked bodies; wrong content types; invalid UTF-8 and escapes; duplicated fields;
 * unknown and wrong-case events; unknown and mangled tokens; path tricks; long URLs and headers; other methods).
 * Every answer is a 4xx, nothing is stored as work, {@code /health} keeps answering throughout (its times are
 * printed), and an honest delivery still gets its 204.
 */
class WebhookMalformedFloodIT {
    private static final Logger log = LoggerFactory.getLogger(WebhookMalformedFloodIT.class);
    private static final String VERIFIER = WebhookIntakeIT.VERIFIER;
    private static final String BODY = WebhookIntakeIT.BODY;
    private static final String SIGNATURE = WebhookIntakeIT.SIGNATURE;
    private static final String FORM = "application/x-www-form-urlencoded";

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

    /** One malformed request: what it tries, and its bytes. */
    private record Attempt(String category, byte[] bytes) {}

    @Test
    void overAThousandMalformedRequestsGet4xxStoreNothingAndNeverStarveHealth() throws Exception {
        List<Attempt> attempts = attempts(new Random(10));
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(1_000);

        ConcurrentLinkedQueue<Long> healthMillis = new ConcurrentLinkedQueue<>();
        AtomicBoolean attacking = new AtomicBoolean(true);
        Thread probe = new Thread(() -> probeHealth(attacking, healthMillis), "health-probe");
        probe.start();
        Map<String, Map<Integer, Integer>> statuses = new TreeMap<>();
        List<String> notRefused = new ArrayList<>();
        try {
            for (Attempt attempt : attempts) {
                int status = send(attempt.bytes());
                statuses.computeIfAbsent(attempt.category(), c -> new TreeMap<>()).merge(status, 1, Integer::sum);
                if (status < 400 || status >= 500) {
                    notRefused.add(attempt.category() + " → " + status);
                }
            }
        } finally {
            attacking.set(false);
            probe.join();
        }
        List<Long> health = healthMillis.stream().sorted().toList();
        log.info("{} malformed requests; answers by category: {}; /health answered {} times, p50 {} ms, p99 {} ms, max {} ms",
                attempts.size(), statuses, health.size(), percentile(health, 50), percentile(health, 99),
                health.isEmpty() ? -1 : health.get(health.size() - 1));

        assertThat(notRefused).as("answers that were not a 4xx").isEmpty();
        assertThat(server.inboxCount()).as("events stored").isZero();
        assertThat(health).as("/health answers during the attack (each within its 2 s timeout)").isNotEmpty()
                .allMatch(ms -> ms >= 0);
        HttpResponse<String> honest = server.post(token, BODY, SIGNATURE);
        assertThat(honest.statusCode()).as("an honest delivery afterwards").isEqualTo(204);
        assertThat(server.inboxCount()).isEqualTo(1);
    }

    private List<Attempt> attempts(Random random) {
        String path = "/hooks/freshbooks/" + token;
        List<Attempt> all = new ArrayList<>();
        // Missing, truncated and forged signatures.
        for (int i = 0; i < 40; i++) {
            all.add(post("missing signature", path, Map.of("Content-Type", FORM), BODY.replace("1234567", String.valueOf(1000 + i))));
        }
        for (int cut = 0; cut < SIGNATURE.length() - 1; cut++) { // without its "=" pad it is the same signature
            all.add(post("truncated signature", path, signed(SIGNATURE.substring(0, cut)), BODY));
        }
        for (int i = 0; i < 150; i++) {
            byte[] forged = new byte[32];
            random.nextBytes(forged);
            all.add(post("forged signature", path, signed(Base64.getEncoder().encodeToString(forged)), BODY));
        }
        for (String odd : List.of("not base64!", "====", SIGNATURE.toLowerCase(), SIGNATURE + SIGNATURE, "\t",
                SIGNATURE.substring(1), "x" + SIGNATURE)) {
            all.add(post("mangled signature", path, signed(odd), BODY));
        }
        // A valid signature over another body.
        for (int i = 0; i < 60; i++) {
            all.add(post("signature of another body", path, signed(SIGNATURE), BODY.replace("1234567", String.valueOf(2_000_000 + i))));
        }
        all.add(post("signature of another body", path, signed(SIGNATURE), WebhookIntakeIT.OTHER_BODY));
        all.add(post("signature of another body", path, signed(SIGNATURE), BODY + "&extra=1"));
        // Oversized bodies, and chunked ones.
        for (int size : new int[] {WebhookIntake.MAX_BODY_BYTES + 1, WebhookIntake.MAX_BODY_BYTES * 2, 200_000}) {
            all.add(post("oversized body", path, signed(SIGNATURE), BODY + "&pad=" + "x".repeat(size)));
        }
        for (int i = 0; i < 20; i++) {
            all.add(chunked("chunked, forged", path, BODY, i % 2 == 0));
        }
        // Wrong content types, even with the right signature.
        for (String type : List.of("application/json", "text/plain", "multipart/form-data; boundary=x", "text/html",
                "application/xml", "application/x-www-form-urlencodedx", "form", "*/*")) {
            Map<String, String> headers = Map.of("Content-Type", type, WebhookSignature.HEADER, SIGNATURE);
            for (int i = 0; i < 5; i++) {
                all.add(post("wrong content type", path, headers, BODY));
            }
        }
        all.add(post("no content type", path, Map.of(WebhookSignature.HEADER, SIGNATURE), BODY));
        // Invalid UTF-8 and escapes in the body, duplicated and missing fields (signed with the real verifier).
        for (String body : List.of("name=invoice.create&object_id=%ZZ&account_id=6BApk", "name=%C3%28&object_id=1&account_id=6BApk",
                "name=invoice.create&object_id=1&account_id=6BApk&x=%", "name=inv\u00c3\u0028oice.create&object_id=1&account_id=6BApk",
                "name=invoice.create&name=invoice.update&object_id=1&account_id=6BApk",
                "name=invoice.create&object_id=1&object_id=2&account_id=6BApk", "object_id=1&account_id=6BApk",
                "name=invoice.create&account_id=6BApk", "name=invoice.create&object_id=1", "&&&", "=", "name",
                "name=invoice.create&object_id=1&account_id=OTHER")) {
            for (int i = 0; i < 4; i++) {
                all.add(post("bad form", path, Map.of("Content-Type", FORM, WebhookSignature.HEADER, sign(body)), body));
            }
        }
        // Unknown and wrong-case events, bad object ids, validly signed.
        for (String name : List.of("CLIENT.CREATE", "Invoice.create", "invoice.Create", "estimate.create", "x.y", "invoice",
                "invoice.", ".create", "invoice.create.x", "payment.refund", "callback.Verify", "bill_vendor.archive")) {
            for (String id : List.of("1", "42", "1234567")) {
                String body = "name=" + name + "&object_id=" + id + "&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";
                all.add(post("unknown event", path, Map.of("Content-Type", FORM, WebhookSignature.HEADER, sign(body)), body));
            }
        }
        for (String id : List.of("0", "-1", "01", "1.5", "1e3", "abc", "12345678901234567890", " 1", "0x10")) {
            String body = "name=invoice.create&object_id=" + id + "&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";
            all.add(post("bad object id", path, Map.of("Content-Type", FORM, WebhookSignature.HEADER, sign(body)), body));
        }
        // Unknown and mangled tokens.
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[24];
            random.nextBytes(bytes);
            all.add(post("unknown token", "/hooks/freshbooks/" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
                    signed(SIGNATURE), BODY));
        }
        for (int i = 0; i < token.length(); i++) {
            char[] chars = token.toCharArray();
            chars[i] = chars[i] == 'A' ? 'B' : 'A';
            all.add(post("mangled token", "/hooks/freshbooks/" + new String(chars), signed(SIGNATURE), BODY));
        }
        for (String mangled : List.of(token + "x", token.substring(1), token.toUpperCase(), token.toLowerCase(), "", token + "%00")) {
            all.add(post("mangled token", "/hooks/freshbooks/" + mangled, signed(SIGNATURE), BODY));
        }
        // Path tricks (a trailing slash is the same path to the router, so a signed delivery there is simply taken).
        for (String trick : List.of("/hooks/freshbooks/../freshbooks/" + token, "//hooks/freshbooks/" + token,
                path + "%2F", "/hooks/freshbooks/%2e%2e/" + token, "/hooks/freshbooks/%u002e", path + "/..",
                "/hooks/freshbooks/" + token + "%ZZ", "/hooks/freshbooks/%C3%28", "/hooks/FRESHBOOKS/" + token,
                "/hooks/freshbooks/" + token + "/extra", "/hooks/freshbooks/%00")) {
            for (int i = 0; i < 3; i++) {
                all.add(post("path trick " + trick.replace(token, "TOKEN"), trick, signed(SIGNATURE), BODY));
            }
        }
        // Long URLs and headers.
        // (A URL or header under the server's 8 KiB limit is no attack: a signed delivery with one is simply taken.)
        for (int length : new int[] {9_000, 20_000, 70_000}) {
            all.add(post("long URL", "/hooks/freshbooks/" + "a".repeat(length), signed(SIGNATURE), BODY));
            all.add(post("long header", path, Map.of("Content-Type", FORM, WebhookSignature.HEADER, SIGNATURE,
                    "X-Padding", "p".repeat(length)), BODY));
        }
        // Other methods.
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO", "PROPFIND")) {
            for (int i = 0; i < 5; i++) {
                all.add(new Attempt("method " + method, request(method, path, Map.of("Content-Type", FORM), BODY)));
            }
        }
        // Repeat the cheapest categories until there are well over a thousand.
        List<Attempt> more = new ArrayList<>();
        for (int i = 0; all.size() + more.size() < 1_200; i++) {
            more.add(all.get(i % all.size()));
        }
        all.addAll(more);
        return all;
    }

    private static Map<String, String> signed(String signature) {
        return Map.of("Content-Type", FORM, WebhookSignature.HEADER, signature);
    }

    private static String sign(String body) {
        try {
            return WebhookSignature.sign(WebhookSignature.parseForm(body), VERIFIER);
        } catch (WebhookSignature.MalformedFormException | RuntimeException e) {
            return SIGNATURE; // a body the parser refuses cannot be signed; any signature will do
        }
    }

    private static Attempt post(String category, String target, Map<String, String> headers, String body) {
        return new Attempt(category, request("POST", target, headers, body));
    }

    private static byte[] request(String method, String target, Map<String, String> headers, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.ISO_8859_1);
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
        return concat(head.toString().getBytes(StandardCharsets.ISO_8859_1), bytes);
    }

    /** A chunked body (Transfer-Encoding), well formed or cut off mid-chunk. */
    private static Attempt chunked(String category, String target, String body, boolean wellFormed) {
        String chunks = Integer.toHexString(body.length()) + "\r\n" + body + "\r\n" + (wellFormed ? "0\r\n\r\n" : "zz\r\n");
        String head = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: " + FORM
                + "\r\n" + WebhookSignature.HEADER + ": " + Base64.getEncoder().encodeToString(new byte[32])
                + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        return new Attempt(category, (head + chunks).getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Writes the request and returns the answer's status; the server may close early on a huge request (then 4xx read first). */
    private int send(byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.app.port()), 5_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException e) {
                // the server answered and closed before reading everything (a long URL or header): read its answer
            }
            String answer = readAll(socket.getInputStream());
            if (!answer.startsWith("HTTP/1.1 ")) {
                throw new IllegalStateException("no HTTP answer: " + answer.lines().findFirst().orElse("(nothing)"));
            }
            return Integer.parseInt(answer.substring(9, 12));
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            in.transferTo(all);
        } catch (IOException e) {
            // a reset after the answer was sent: what was read is enough
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    private void probeHealth(AtomicBoolean attacking, ConcurrentLinkedQueue<Long> millis) {
        URI health = URI.create("http://127.0.0.1:" + server.app.port() + "/health");
        while (attacking.get()) {
            long start = System.nanoTime();
            try {
                HttpResponse<String> response = server.http().send(HttpRequest.newBuilder(health)
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                millis.add(response.statusCode() == 200 ? (System.nanoTime() - start) / 1_000_000 : -1);
            } catch (IOException e) {
                millis.add(-1L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(50); // a probe's pace, not a wait for a condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }
}
