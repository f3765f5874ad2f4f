package io.mlconnector.sim.freshbooks;

import java.util.Map;

/**
 * The text Python's {@code json.dumps(dict)} produces for a flat string-to-string dict, with Python's defaults:
 * separators {@code ", "} and {@code ": "}, {@code ensure_ascii=True}, {@code /} not escaped (reference §3.5).
 * FreshBooks signs this text, so it must match byte for byte; Jackson and Gson defaults do not.
 */
public final class PythonJson {

    private PythonJson() {}

    /** Keys in the map's iteration order, so pass a {@link java.util.LinkedHashMap} built in the order received. */
    public static String dumps(Map<String, String> fields) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            quote(out, e.getKey());
            out.append(": ");
            quote(out, e.getValue());
        }
        return out.append('}').toString();
    }

    /** Python's {@code py_encode_basestring_ascii}: everything outside printable ASCII becomes an escape. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        // UTF-16 code units, so characters above U+FFFF come out as surrogate pairs, as in Python
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
