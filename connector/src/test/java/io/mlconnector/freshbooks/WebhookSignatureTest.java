package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Known-answer vectors from freshbooks-api.md §3.5 (computed with Python json.dumps + hmac). */
class WebhookSignatureTest {

    static final String VERIFIER = "scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd";
    static final String BODY_1 = "name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";
    static final String BODY_2 = "name=client.update&object_id=921895&user_id=1&identity_id=14051539&business_id=14393743&account_id=p7rQW5";
    static final String BODY_3 = "name=payment.update&object_id=235435&account_id=ACM123&business_id=439000&identity_id=12345&user_id=1"
            + "&system=https%3A%2F%2Fexample.freshbooks.com&note=caf%C3%A9";

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1 | {"name": "invoice.create", "object_id": "1234567", "account_id": "6BApk", "business_id": "6543", "identity_id": "1234", "user_id": "1"} | /S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=
            name=client.update&object_id=921895&user_id=1&identity_id=14051539&business_id=14393743&account_id=p7rQW5 | {"name": "client.update", "object_id": "921895", "user_id": "1", "identity_id": "14051539", "business_id": "14393743", "account_id": "p7rQW5"} | iJZOXmjrd3oWVqpjPSOD3T4h++SND5zKcEcZTK3y6g0=
            name=payment.update&object_id=235435&account_id=ACM123&business_id=439000&identity_id=12345&user_id=1&system=https%3A%2F%2Fexample.freshbooks.com&note=caf%C3%A9 | {"name": "payment.update", "object_id": "235435", "account_id": "ACM123", "business_id": "439000", "identity_id": "12345", "user_id": "1", "system": "https://example.freshbooks.com", "note": "caf\\u00e9"} | 65jYvIpgS1U50NGniOgmpoU/PK2KwQjnW12mce0otmc=
            """)
    void knownAnswerVectors(String body, String canonical, String header) throws Exception {
        Map<String, String> fields = WebhookSignature.parseForm(body);

        assertThat(WebhookSignature.canonicalJson(fields)).isEqualTo(canonical);
        assertThat(WebhookSignature.sign(fields, VERIFIER)).isEqualTo(header);
        assertThat(WebhookSignature.verify(body, header, VERIFIER)).isTrue();
        assertThat(WebhookSignature.verify(body, header, VERIFIER + "x")).isFalse();
    }

    @Test
    void compactJsonAndHexSignaturesDoNotVerify() {
        assertThat(WebhookSignature.verify(BODY_1, "ENwe/8MKygI95fsgnoIq4e1NnxOVl/8jdAncDoXm2/k=", VERIFIER)).isFalse();
        String hex = "fd2d37bf26" + "6"; // prefix of the hex form is enough to show hex is rejected
        assertThat(WebhookSignature.verify(BODY_1, hex, VERIFIER)).isFalse();
    }

    @Test
    void fullHexOfTheCorrectMacDoesNotVerify() throws Exception {
        byte[] mac = java.util.Base64.getDecoder().decode("/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=");
        StringBuilder hex = new StringBuilder();
        for (byte b : mac) {
            hex.append(String.format("%02x", b));
        }
        assertThat(hex.toString()).startsWith("fd2d37bf").endsWith("80f7");
        assertThat(WebhookSignature.verify(BODY_1, hex.toString(), VERIFIER)).isFalse();
    }

    @Test
    void signatureOfAnotherBodyDoesNotVerify() {
        assertThat(WebhookSignature.verify(BODY_2, "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=", VERIFIER)).isFalse();
        assertThat(WebhookSignature.verify(BODY_1, null, VERIFIER)).isFalse();
        assertThat(WebhookSignature.verify(BODY_1, "not base64 !!", VERIFIER)).isFalse();
        assertThat(WebhookSignature.verify(BODY_1, "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=", "")).isFalse();
    }

    @Test
    void reorderedFieldsChangeTheSignature() throws Exception {
        String reordered = "object_id=1234567&name=invoice.create&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1";
        assertThat(WebhookSignature.verify(reordered, "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=", VERIFIER)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            a=%22q%22         | '{"a": "\\"q\\""}'
            a=back%5Cslash    | '{"a": "back\\\\slash"}'
            a=x%2Fy           | '{"a": "x/y"}'
            a=l1%0Al2%0D%09   | '{"a": "l1\\nl2\\r\\t"}'
            a=%08%0C%01%1F%7F | '{"a": "\\b\\f\\u0001\\u001f\\u007f"}'
            a=%E2%82%AC       | '{"a": "\\u20ac"}'
            a=%F0%9F%98%80    | '{"a": "\\ud83d\\ude00"}'
            a=two+words       | '{"a": "two words"}'
            a=&b=             | '{"a": "", "b": ""}'
            a=%3C%3D%26%27    | '{"a": "<=&''"}'
            caf%C3%A9=1       | '{"caf\\u00e9": "1"}'
            """)
    void escapesLikePythonJsonDumps(String body, String canonical) throws Exception {
        assertThat(WebhookSignature.canonicalJson(WebhookSignature.parseForm(body))).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "=x", "a=1&&b=2", "a=1&", "a=%zz", "a=%4", "a=%C3", "a=1&a=2", "a=\u00e9", "a=%FF"})
    void malformedBodiesAreRejected(String body) {
        assertThatThrownBy(() -> WebhookSignature.parseForm(body)).isInstanceOf(WebhookSignature.MalformedFormException.class);
        assertThat(WebhookSignature.verify(body, "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=", VERIFIER)).isFalse();
    }

    @Test
    void parsingKeepsOrder() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("name", "client.update");
        expected.put("object_id", "921895");
        expected.put("user_id", "1");
        expected.put("identity_id", "14051539");
        expected.put("business_id", "14393743");
        expected.put("account_id", "p7rQW5");
        assertThat(WebhookSignature.parseForm(BODY_2)).containsExactlyEntriesOf(expected);
    }

    @Test
    void signRoundTripsThroughVerifyForArbitraryText() throws Exception {
        java.util.Random random = new java.util.Random(42);
        for (int n = 0; n < 200; n++) {
            StringBuilder value = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                value.appendCodePoint(random.nextInt(4) == 0 ? 0x1F600 + random.nextInt(50) : 1 + random.nextInt(0x7ff));
            }
            String body = "name=x.y&v=" + java.net.URLEncoder.encode(value.toString(), java.nio.charset.StandardCharsets.UTF_8);
            Map<String, String> fields = WebhookSignature.parseForm(body);
            assertThat(fields.get("v")).isEqualTo(value.toString());
            assertThat(WebhookSignature.canonicalJson(fields)).matches("[\\x20-\\x7e]*");
            assertThat(WebhookSignature.verify(body, WebhookSignature.sign(fields, "k"), "k")).isTrue();
        }
    }
}
