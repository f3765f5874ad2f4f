package io.mlconnector.bench;

import io.mlconnector.freshbooks.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * FreshBooks deliveries signed as FreshBooks signs them, written one per line for {@link Wrk}'s script:
 * {@code path<TAB>body<TAB>signature}. Each names one of {@code objectIds} in turn, as a busy business's edits would.
 */
final class SignedDeliveries {
    private SignedDeliveries() {}

    /** One callback to deliver to: where it listens and the verifier FreshBooks signs with. */
    record Callback(String path, String event, String accountId, long businessId, String verifier) {}

    static Path write(Path file, Callback callback, List<Long> objectIds, int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            Map<String, String> form = form(callback, objectIds.get(i % objectIds.size()));
            lines.append(callback.path()).append('\t').append(body(form)).append('\t')
                    .append(WebhookSignature.sign(form, callback.verifier())).append('\n');
        }
        try {
            Files.writeString(file, lines, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The delivery form in FreshBooks' field order (the FreshBooks simulator's {@code WebhookEvent.form()}). */
    static Map<String, String> form(Callback callback, long objectId) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", callback.event());
        form.put("object_id", Long.toString(objectId));
        form.put("account_id", callback.accountId());
        form.put("business_id", Long.toString(callback.businessId()));
        form.put("identity_id", "1");
        form.put("user_id", "1");
        return form;
    }

    /** Every value here is letters, digits, dots and underscores: nothing to percent-encode. */
    static String body(Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(k + "=" + v));
        return body.toString();
    }
}
