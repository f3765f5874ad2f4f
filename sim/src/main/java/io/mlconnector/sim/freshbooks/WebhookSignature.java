package io.mlconnector.sim.freshbooks;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code X-FreshBooks-Hmac-SHA256} = base64(HMAC-SHA256(key = verifier as UTF-8, message = Python json.dumps of the
 * form fields in order)), reference §3.5. Also the form encoding and decoding the deliveries use.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-FreshBooks-Hmac-SHA256";

    private WebhookSignature() {}

    public static String sign(String verifier, Map<String, String> form) {
        byte[] message = PythonJson.dumps(form).getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(hmac(verifier, message));
    }

    /** Constant-time check of a received header against the form it came with. */
    public static boolean verify(String verifier, Map<String, String> form, String header) {
        if (header == null) {
            return false;
        }
        byte[] expected = sign(verifier, form).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, header.trim().getBytes(StandardCharsets.US_ASCII));
    }

    /** Parses {@code a=1&b=2} keeping the order received; a repeated key keeps its first position (as a dict would). */
    public static LinkedHashMap<String, String> parseForm(String body) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        if (body == null || body.isEmpty()) {
            return out;
        }
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return out;
    }

    public static String encodeForm(Map<String, String> form) {
        StringJoiner body = new StringJoiner("&");
        form.forEach((k, v) -> body.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return body.toString();
    }

    private static byte[] hmac(String key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
