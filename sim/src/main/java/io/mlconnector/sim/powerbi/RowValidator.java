package io.mlconnector.sim.powerbi;

import io.mlconnector.sim.powerbi.DatasetDefinition.Column;
import io.mlconnector.sim.powerbi.DatasetDefinition.Table;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pure checks of a POST rows body against a table (reference powerbi-api.md §2.4, §2.7, §3.2 "Simulator
 * recommendation"): the whole request is refused with a 400 InvalidRequest naming the row index and column,
 * or every row is returned with its values converted; never part of it.
 */
public final class RowValidator {
    /** Floats as BigDecimal so Decimal values are checked as sent; duplicate keys and trailing tokens refused. */
    private static final JsonMapper ROWS_MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    static final String NOT_A_ROWSET = "Did not encounter start array token or start object token for rowset";
    private static final BigDecimal DECIMAL_LIMIT = BigDecimal.TEN.pow(24); // precision 28, scale 4
    private static final List<DateTimeFormatter> LOCAL_DATE_TIMES = List.of(
            DateTimeFormatter.ISO_LOCAL_DATE_TIME,
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"),
            DateTimeFormatter.ofPattern("MM/dd/yyyy HH:mm:ss"));
    private static final List<DateTimeFormatter> LOCAL_DATES = List.of(
            DateTimeFormatter.ISO_LOCAL_DATE, DateTimeFormatter.ofPattern("MM/dd/yyyy"));

    private final PushLimits limits;

    public RowValidator(PushLimits limits) {
        this.limits = limits;
    }

    /** Parses a raw body; bodies over the size limit and malformed JSON are refused before anything else. */
    public JsonNode parse(byte[] body) {
        if (body.length > limits.maxBodyBytes()) {
            throw PowerBiApiException.invalidRequest("The request body is " + body.length + " bytes; at most "
                    + limits.maxBodyBytes() + " bytes are allowed per request.");
        }
        try {
            return ROWS_MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw PowerBiApiException.invalidRequest("The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Number of rows the body claims to carry (0 if it is not a rowset), for logs. */
    public static int rowCount(JsonNode body) {
        JsonNode rows = body == null ? null : body.get("rows");
        return rows != null && rows.isArray() ? rows.size() : 0;
    }

    /** The distinct string values of {@code column} over the body's rows, first seen first, for logs. */
    public static List<String> distinctStrings(JsonNode body, String column) {
        JsonNode rows = body == null ? null : body.get("rows");
        if (rows == null || !rows.isArray()) {
            return List.of();
        }
        java.util.Set<String> values = new java.util.LinkedHashSet<>();
        for (JsonNode row : rows) {
            JsonNode value = row.get(column);
            if (value != null && value.isString()) {
                values.add(value.stringValue());
            }
        }
        return List.copyOf(values);
    }

    /**
     * @param lenient ignore properties that are not columns instead of refusing the request
     * @return each row as column name to converted value; missing and null values are left out (blank)
     */
    public List<Map<String, Object>> validate(JsonNode body, Table table, boolean lenient) {
        if (body == null || !body.isObject() || !body.has("rows") || !body.get("rows").isArray()) {
            throw PowerBiApiException.invalidRequest(NOT_A_ROWSET);
        }
        JsonNode rows = body.get("rows");
        if (rows.size() > limits.maxRowsPerPost()) {
            throw PowerBiApiException.invalidRequest("The request has " + rows.size() + " rows; at most "
                    + limits.maxRowsPerPost() + " rows are allowed per request.");
        }
        List<Map<String, Object>> accepted = new ArrayList<>(rows.size());
        for (int index = 0; index < rows.size(); index++) {
            JsonNode row = rows.get(index);
            if (!row.isObject()) {
                throw PowerBiApiException.invalidRequest("Row " + index + " is not a JSON object.");
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> property : row.properties()) {
                Column column = table.column(property.getKey()).orElse(null);
                if (column == null) {
                    if (lenient) {
                        continue;
                    }
                    throw PowerBiApiException.invalidRequest("Row " + index + ": column '" + property.getKey()
                            + "' does not exist in table '" + table.name() + "'.");
                }
                JsonNode value = property.getValue();
                if (!value.isNull()) {
                    values.put(column.name(), convert(value, column, index));
                }
            }
            accepted.add(Collections.unmodifiableMap(values));
        }
        return accepted;
    }

    private Object convert(JsonNode value, Column column, int index) {
        return switch (column.dataType()) {
            case INT64 -> int64(value, column, index);
            case DOUBLE -> doubleValue(value, column, index);
            case DECIMAL -> decimal(value, column, index);
            case BOOLEAN -> {
                if (!value.isBoolean()) {
                    throw wrongType(value, column, index, "true or false");
                }
                yield value.booleanValue();
            }
            case DATETIME -> dateTime(value, column, index);
            case STRING -> {
                if (!value.isString()) {
                    throw wrongType(value, column, index, "a JSON string");
                }
                String text = value.stringValue();
                if (text.length() > limits.maxStringLength()) {
                    throw PowerBiApiException.invalidRequest(where(column, index) + ": the string has "
                            + text.length() + " characters; at most " + limits.maxStringLength() + " are allowed.");
                }
                yield text;
            }
        };
    }

    private static long int64(JsonNode value, Column column, int index) {
        if (!value.isIntegralNumber()) {
            throw wrongType(value, column, index, "a JSON integer");
        }
        BigInteger number = value.bigIntegerValue();
        if (number.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) <= 0 || number.compareTo(BigInteger.valueOf(Long.MAX_VALUE)) >= 0) {
            throw PowerBiApiException.invalidRequest(where(column, index) + ": " + number
                    + " is out of range; Int64 values must lie strictly between Int64.MinValue and Int64.MaxValue.");
        }
        return number.longValueExact();
    }

    private static double doubleValue(JsonNode value, Column column, int index) {
        if (!value.isNumber()) {
            throw wrongType(value, column, index, "a JSON number");
        }
        double number = value.decimalValue().doubleValue();
        if (Double.isInfinite(number) || Math.abs(number) == Double.MAX_VALUE) {
            throw PowerBiApiException.invalidRequest(where(column, index) + ": " + value
                    + " is out of range for Double (Double.MaxValue, Double.MinValue and infinities are not allowed).");
        }
        return number;
    }

    private static BigDecimal decimal(JsonNode value, Column column, int index) {
        if (!value.isNumber()) {
            throw wrongType(value, column, index, "a JSON number");
        }
        BigDecimal number = value.decimalValue();
        if (number.stripTrailingZeros().scale() > 4 || number.abs().compareTo(DECIMAL_LIMIT) >= 0) {
            throw PowerBiApiException.invalidRequest(where(column, index) + ": " + number
                    + " does not fit Decimal (precision 28, scale 4).");
        }
        return number;
    }

    private static String dateTime(JsonNode value, Column column, int index) {
        if (!value.isString() || !isAcceptedDateTime(value.stringValue())) {
            throw wrongType(value, column, index,
                    "a date-time string (ISO 8601, 'yyyy-MM-dd HH:mm:ss' or 'MM/dd/yyyy')");
        }
        return value.stringValue(); // stored as sent; Power BI keeps a zone-less value
    }

    /** ISO 8601 with or without offset and fraction, {@code yyyy-MM-dd HH:mm:ss}, {@code MM/dd/yyyy} (§2.4). */
    static boolean isAcceptedDateTime(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException ignored) {
            // try the zone-less forms
        }
        for (DateTimeFormatter format : LOCAL_DATE_TIMES) {
            try {
                LocalDateTime.parse(text, format);
                return true;
            } catch (DateTimeParseException ignored) {
                // next
            }
        }
        for (DateTimeFormatter format : LOCAL_DATES) {
            try {
                LocalDate.parse(text, format);
                return true;
            } catch (DateTimeParseException ignored) {
                // next
            }
        }
        return false;
    }

    private static PowerBiApiException wrongType(JsonNode value, Column column, int index, String expected) {
        String shown = value.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 60) + "...";
        }
        return PowerBiApiException.invalidRequest(where(column, index) + ": expected " + expected + ", got " + shown + ".");
    }

    private static String where(Column column, int index) {
        return "Row " + index + ", column '" + column.name() + "' (" + column.dataType().apiName() + ")";
    }
}
