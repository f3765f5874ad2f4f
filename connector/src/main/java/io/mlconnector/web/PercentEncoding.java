package io.mlconnector.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether a raw request path (or query) decodes: every {@code %} starts a two-hex-digit escape and the bytes
 * are valid UTF-8. Jetty lets some malformed escapes through (e.g. {@code %u002e}) and Javalin's decoding of path
 * parameters then throws, which would answer 500 for what is bad input.
 */
final class PercentEncoding {

    private PercentEncoding() {}

    static boolean decodes(String raw) {
        if (raw == null) {
            return true;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return false;
                }
                int hi = hexDigit(raw.charAt(i + 1));
                int lo = hexDigit(raw.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return false;
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0x7e || c < 0x20) {
                return false; // a request line is ASCII; anything else reached us undecoded
            } else {
                bytes.write(c);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** ASCII hex only ({@link Character#digit} would also take e.g. Arabic-Indic digits). */
    private static int hexDigit(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }
}
