package io.mlconnector.freshbooks;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * FreshBooks' webhook signature (freshbooks-api.md §3.5): base64 of HMAC-SHA256, keyed with the callback's
 * verifier, over the form fields serialized exactly as Python's {@code json.dumps(dict)} does by default.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-FreshBooks-Hmac-SHA256";

    private WebhookSignature() {
    }

    /** The form body could not be parsed; the message says why without quoting the body. */
    public static final class MalformedFormException extends Exception {
        public MalformedFormException(String message) {
            super(message);
        }
    }

    /**
     * Parses an {@code application/x-www-form-urlencoded} body into its fields in the order received.
     * Strict: empty pairs, pairs without '=', empty or repeated names, bad %-escapes and invalid UTF-8 are rejected.
     */
    public static Map<String, String> parseForm(String body) throws MalformedFormException {
        if (body.isEmpty()) {
            throw new MalformedFormException("empty body");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new MalformedFormException(pair.isEmpty() ? "empty field" : "field without a name or '='");
            }
            String name = decode(pair.substring(0, eq));
            String value = decode(pair.substring(eq + 1));
            if (fields.putIfAbsent(name, value) != null) {
                throw new MalformedFormException("repeated field " + safeName(name));
            }
        }
        return Collections.unmodifiableMap(fields);
    }

    private static String safeName(String name) {
        return name.length() <= 32 && name.chars().allMatch(c -> c == '_' || Character.isLetterOrDigit(c)) ? name : "(unprintable)";
    }

    private static String decode(String text) throws MalformedFormException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw new MalformedFormException("truncated %-escape");
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new MalformedFormException("bad %-escape");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e || c < 0x20) {
                throw new MalformedFormException("unescaped non-ASCII or control character");
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFormException("invalid UTF-8");
        }
    }

    /** The fields as Python's {@code json.dumps(dict)} writes them: {@code {"k": "v", "k2": "v2"}}, ASCII only. */
    public static String canonicalJson(Map<String, String> fields) {
        StringBuilder json = new StringBuilder(64 + fields.size() * 32).append('{');
        boolean first = true;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            if (!first) {
                json.append(", ");
            }
            first = false;
            appendString(json, field.getKey());
            json.append(": ");
            appendString(json, field.getValue());
        }
        return json.append('}').toString();
    }

    /** Python's ensure_ascii string escaping; Java chars are UTF-16 units, so astral characters come out as surrogate pairs as in Python. */
    private static void appendString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }

    /** The header value FreshBooks sends for these fields and verifier. */
    public static String sign(Map<String, String> fields, String verifier) {
        return Base64.getEncoder().encodeToString(hmac(fields, verifier));
    }

    private static byte[] hmac(Map<String, String> fields, String verifier) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(verifier.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(canonicalJson(fields).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether the header is the signature of these parsed fields; compares in constant time. */
    public static boolean verify(Map<String, String> fields, String header, String verifier) {
        if (header == null || verifier == null || verifier.isEmpty()) {
            return false;
        }
        byte[] received;
        try {
            received = Base64.getDecoder().decode(header.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(hmac(fields, verifier), received);
    }

    /** Whether the header is the signature of this raw form body; false for a malformed body. */
    public static boolean verify(String body, String header, String verifier) {
        try {
            return verify(parseForm(body), header, verifier);
        } catch (MalformedFormException e) {
            return false;
        }
    }
}
