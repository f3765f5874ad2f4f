package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PythonJsonTest {

    @Test
    void escapesLikePythonEnsureAscii() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("q", "a\"b\\c/d");
        m.put("ctl", "\n\r\t\b\f\u0001\u007f");
        m.put("uni", "é€😀");

        assertThat(PythonJson.dumps(m)).isEqualTo(
                "{\"q\": \"a\\\"b\\\\c/d\", \"ctl\": \"\\n\\r\\t\\b\\f\\u0001\\u007f\", "
                        + "\"uni\": \"\\u00e9\\u20ac\\ud83d\\ude00\"}");
    }

    @Test
    void emptyDict() {
        assertThat(PythonJson.dumps(Map.of())).isEqualTo("{}");
    }
}
