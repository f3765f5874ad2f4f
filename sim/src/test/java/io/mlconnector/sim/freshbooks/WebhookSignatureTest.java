package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Known-answer vectors of reference §3.5, computed with Python's json.dumps and hmac. */
class WebhookSignatureTest {

    private static final String VERIFIER = "scADVVi5QuKuj5qTjVkbJNYQe7V7USpGd";

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1 | {"name": "invoice.create", "object_id": "1234567", "account_id": "6BApk", "business_id": "6543", "identity_id": "1234", "user_id": "1"} | /S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=
        name=client.update&object_id=921895&user_id=1&identity_id=14051539&business_id=14393743&account_id=p7rQW5 | {"name": "client.update", "object_id": "921895", "user_id": "1", "identity_id": "14051539", "business_id": "14393743", "account_id": "p7rQW5"} | iJZOXmjrd3oWVqpjPSOD3T4h++SND5zKcEcZTK3y6g0=
        name=payment.update&object_id=235435&account_id=ACM123&business_id=439000&identity_id=12345&user_id=1&system=https%3A%2F%2Fexample.freshbooks.com&note=caf%C3%A9 | {"name": "payment.update", "object_id": "235435", "account_id": "ACM123", "business_id": "439000", "identity_id": "12345", "user_id": "1", "system": "https://example.freshbooks.com", "note": "caf\\u00e9"} | 65jYvIpgS1U50NGniOgmpoU/PK2KwQjnW12mce0otmc=
        """)
    void referenceVectors(String body, String canonical, String header) {
        LinkedHashMap<String, String> form = WebhookSignature.parseForm(body);

        assertThat(PythonJson.dumps(form)).isEqualTo(canonical);
        assertThat(WebhookSignature.sign(VERIFIER, form)).isEqualTo(header);
        assertThat(WebhookSignature.verify(VERIFIER, form, header)).isTrue();
    }

    @Test
    void compactJsonSignatureIsRejected() {
        LinkedHashMap<String, String> form = WebhookSignature.parseForm(
                "name=invoice.create&object_id=1234567&account_id=6BApk&business_id=6543&identity_id=1234&user_id=1");

        assertThat(WebhookSignature.verify(VERIFIER, form, "ENwe/8MKygI95fsgnoIq4e1NnxOVl/8jdAncDoXm2/k=")).isFalse();
        assertThat(WebhookSignature.verify("other", form, "/S03vyYmI7CekM4YXBHUhs9o5rnMtqGLrW3aA8S9gPc=")).isFalse();
    }

    @Test
    void formRoundTripKeepsOrder() {
        LinkedHashMap<String, String> form = new LinkedHashMap<>();
        form.put("name", "invoice.update");
        form.put("system", "https://x.example/a b");
        assertThat(WebhookSignature.parseForm(WebhookSignature.encodeForm(form))).containsExactlyEntriesOf(form);
    }
}
