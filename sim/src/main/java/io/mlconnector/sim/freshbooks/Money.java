package io.mlconnector.sim.freshbooks;

import io.mlconnector.sim.common.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Money on the wire: {@code {"amount":"41.94","code":"CAD"}}, the amount a decimal string (reference §7). */
public final class Money {

    private Money() {}

    public static BigDecimal cents(BigDecimal v) {
        return v.setScale(2, RoundingMode.HALF_UP);
    }

    public static ObjectNode node(BigDecimal amount, String code) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("amount", cents(amount).toPlainString());
        n.put("code", code);
        return n;
    }

    /** The amount of a Money node (or of a bare string/number, which clients sometimes send); null when absent. */
    public static BigDecimal amountOf(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        JsonNode v = n.isObject() ? n.get("amount") : n;
        if (v == null || v.isNull()) {
            return null;
        }
        return new BigDecimal(v.asString().trim());
    }
}
