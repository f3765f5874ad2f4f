package io.mlconnector.mapping;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import tools.jackson.databind.JsonNode;

/**
 * Converts FreshBooks JSON values into the Java types a {@link Row} holds.
 * Which field is Eastern, UTC or ISO follows {@code reference/freshbooks-api.md} §7; callers pick the
 * method by field. Every method returns {@code null} for a missing, JSON-null or blank value, and
 * throws {@link IllegalArgumentException} naming the value when it cannot be read: a record we cannot
 * read exactly must not be pushed half-right.
 */
public final class FreshBooksValues {

    /** FreshBooks accounting datetimes are zone-less US/Eastern wall times, DST-aware (§7). */
    public static final ZoneId FRESHBOOKS_EASTERN = ZoneId.of("America/New_York");

    /** Power BI rejects String values longer than this (powerbi-api.md §4). */
    public static final int MAX_STRING_LENGTH = 4_000;

    private static final DateTimeFormatter WALL_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private FreshBooksValues() {
    }

    /** Money object {@code {"amount":"41.94","code":"CAD"}} → its exact amount (never via double). */
    public static BigDecimal money(JsonNode money) {
        if (absent(money)) {
            return null;
        }
        if (!money.isObject()) {
            throw new IllegalArgumentException("not a Money object: " + money);
        }
        return decimal(money.get("amount"));
    }

    /** The ISO 4217 code of a Money object, or null. */
    public static String moneyCode(JsonNode money) {
        return absent(money) || !money.isObject() ? null : text(money.get("code"));
    }

    /** Eastern wall time {@code YYYY-MM-DD HH:MM:SS} → instant (see {@link #easternWallTime(String)}). */
    public static Instant easternWallTime(JsonNode value) {
        return absent(value) ? null : easternWallTime(value.asString());
    }

    /**
     * Eastern wall time → instant. In the fall-back hour (e.g. 2021-11-07 01:30, which happens twice)
     * we take the earlier offset (EDT, −04:00): FreshBooks sends no offset, so the wall time alone
     * cannot tell the two apart, and the earlier reading is what {@code java.time} and the FreshBooks
     * SDKs' zone libraries pick. A wall time inside the spring-forward gap (02:30 on the March
     * changeover) does not exist and is moved forward by the gap's length (03:30 EDT).
     */
    public static Instant easternWallTime(String value) {
        if (blank(value)) {
            return null;
        }
        LocalDateTime wall = parseWallTime(value);
        return ZonedDateTime.ofLocal(wall, FRESHBOOKS_EASTERN, null).withEarlierOffsetAtOverlap().toInstant();
    }

    /** UTC wall time {@code YYYY-MM-DD HH:MM:SS} (client signup_date, bill/vendor created_at/updated_at). */
    public static Instant utcWallTime(JsonNode value) {
        return absent(value) ? null : utcWallTime(value.asString());
    }

    public static Instant utcWallTime(String value) {
        return blank(value) ? null : parseWallTime(value).toInstant(ZoneOffset.UTC);
    }

    /** ISO-8601 instant such as {@code 2023-04-27T14:33:48.841075Z} (ledger accounts' updated_at). */
    public static Instant isoInstant(JsonNode value) {
        if (absent(value)) {
            return null;
        }
        String text = value.asString().trim();
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 timestamp with offset: '" + text + "'", e);
        }
    }

    /** Calendar date {@code YYYY-MM-DD} → UTC midnight, the DateTime Power BI shows as that date. */
    public static Instant date(JsonNode value) {
        return absent(value) ? null : date(value.asString());
    }

    public static Instant date(String value) {
        if (blank(value)) {
            return null;
        }
        try {
            return LocalDate.parse(value.trim()).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a YYYY-MM-DD date: '" + value + "'", e);
        }
    }

    /** A number or number-like string ({@code "4"}, {@code "13"}, {@code "-4.40"}) → exact decimal. */
    public static BigDecimal decimal(JsonNode value) {
        if (absent(value)) {
            return null;
        }
        String text = value.asString().trim();
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a decimal number: '" + text + "'", e);
        }
    }

    /** An integer or integer-like string → Long. */
    public static Long integer(JsonNode value) {
        if (absent(value)) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean() ? 1L : 0L;
        }
        String text = value.asString().trim();
        try {
            return Long.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: '" + text + "'", e);
        }
    }

    /** An id where 0 means "none" (FreshBooks uses 0 for an expense without a client, for example). */
    public static Long optionalId(JsonNode value) {
        Long id = integer(value);
        return id == null || id == 0L ? null : id;
    }

    /** true/false, 1/0 or "true"/"1" → Boolean. */
    public static Boolean bool(JsonNode value) {
        if (absent(value)) {
            return null;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        String text = value.asString().trim().toLowerCase(java.util.Locale.ROOT);
        switch (text) {
            case "true", "1" -> { return Boolean.TRUE; }
            case "false", "0" -> { return Boolean.FALSE; }
            default -> throw new IllegalArgumentException("not a boolean: '" + text + "'");
        }
    }

    /**
     * A string, cut to Power BI's 4,000-character limit so one long note cannot block a whole batch. The limit
     * counts UTF-16 units; a cut that would split a surrogate pair keeps 3,999, since a lone surrogate cannot be
     * encoded in the UTF-8 body and would arrive as '?'.
     */
    public static String text(JsonNode value) {
        if (absent(value)) {
            return null;
        }
        String text = value.asString();
        if (text.length() <= MAX_STRING_LENGTH) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_STRING_LENGTH - 1)) ? MAX_STRING_LENGTH - 1 : MAX_STRING_LENGTH;
        return text.substring(0, end);
    }

    /** The Monday (ISO week start) of a UTC-midnight date instant, for "payments by week". */
    public static Instant weekStart(Instant utcMidnight) {
        if (utcMidnight == null) {
            return null;
        }
        LocalDate day = LocalDate.ofInstant(utcMidnight, ZoneOffset.UTC);
        return day.minusDays(day.getDayOfWeek().getValue() - 1L).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static LocalDateTime parseWallTime(String value) {
        try {
            return LocalDateTime.parse(value.trim(), WALL_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a YYYY-MM-DD HH:MM:SS wall time: '" + value + "'", e);
        }
    }

    private static boolean absent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode()
                || (value.isString() && value.asString().isBlank());
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
