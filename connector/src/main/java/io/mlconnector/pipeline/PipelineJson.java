package io.mlconnector.pipeline;

import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper for row values: money stays exact. Numbers with a fraction are read as BigDecimal with
 * their scale kept ("10.00" stays 10.00, never 1E+1), and written plain, so a value read back from the
 * ledger compares equal to the same value mapped again, and reaches Power BI as written.
 */
public final class PipelineJson {
    private PipelineJson() {}

    public static JsonMapper mapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
    }
}
