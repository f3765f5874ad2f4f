package io.mlconnector.pipeline;

import io.mlconnector.mapping.FreshBooksValues;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A FreshBooks record's own "last changed" stamp, as the span of instants it may stand for (reference
 * §7 says which resources write Eastern wall time, which UTC, which ISO). An Eastern wall time in the
 * fall-back hour happens twice, so it stands for both readings: {@code earliest} (EDT) to {@code latest}
 * (EST); any other value is a single instant. {@code fractionDigits} is the value's resolution (0 for
 * {@code updated}, 6 for an invoice's {@code version}).
 */
public record SourceVersion(Instant earliest, Instant latest, int fractionDigits) {
    private static final DateTimeFormatter WALL_TIME = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .toFormatter();

    public SourceVersion {
        Objects.requireNonNull(earliest);
        Objects.requireNonNull(latest);
        if (latest.isBefore(earliest)) {
            throw new IllegalArgumentException("latest before earliest: " + earliest + " > " + latest);
        }
    }

    /** How two versions of one record compare in FreshBooks' time. */
    public enum Order { NEWER, OLDER, UNORDERED }

    /**
     * {@code incoming} against {@code applied}: NEWER or OLDER only when every instant either may stand
     * for says so. Unordered when either is missing, when their resolutions differ ({@code updated} and
     * {@code version} are not written at the same moment: the reference's example invoice has
     * {@code version} 10:31:58.48 and {@code updated} 10:31:59), when they are equal, or when either lies
     * in the DST overlap and the other's instant could be on either side of it.
     */
    public static Order compare(SourceVersion incoming, SourceVersion applied) {
        if (incoming == null || applied == null || incoming.fractionDigits != applied.fractionDigits) {
            return Order.UNORDERED;
        }
        if (incoming.earliest.isAfter(applied.latest)) {
            return Order.NEWER;
        }
        if (incoming.latest.isBefore(applied.earliest)) {
            return Order.OLDER;
        }
        return Order.UNORDERED;
    }

    /** The record's finest version: an invoice's {@code version} where it has one, else its updated time. Null when none. */
    public static SourceVersion of(String objectType, JsonNode record) {
        return switch (objectType) {
            case "bill", "bill_vendor" -> utcWall(text(record.path("updated_at")));
            case "ledger_account" -> iso(text(record.path("updated_at")));
            case "category" -> easternWall(text(record.path("updated_at")));
            default -> {
                String version = text(record.path("version"));
                yield easternWall(version != null ? version : text(record.path("updated")));
            }
        };
    }

    /** Zone-less US/Eastern wall time, optionally with a fraction ({@code 2021-04-16 10:31:58.480684}). */
    static SourceVersion easternWall(String text) {
        if (text == null) {
            return null;
        }
        LocalDateTime wall = wallTime(text);
        ZonedDateTime zoned = ZonedDateTime.ofLocal(wall, FreshBooksValues.FRESHBOOKS_EASTERN, null);
        return new SourceVersion(micros(zoned.withEarlierOffsetAtOverlap().toInstant()),
                micros(zoned.withLaterOffsetAtOverlap().toInstant()), fractionDigits(text));
    }

    static SourceVersion utcWall(String text) {
        if (text == null) {
            return null;
        }
        Instant at = micros(wallTime(text).toInstant(ZoneOffset.UTC));
        return new SourceVersion(at, at, fractionDigits(text));
    }

    static SourceVersion iso(String text) {
        if (text == null) {
            return null;
        }
        try {
            Instant at = micros(OffsetDateTime.parse(text.trim()).toInstant());
            return new SourceVersion(at, at, fractionDigits(text.trim().replaceFirst("(Z|[+-]\\d\\d:?\\d\\d)$", "")));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 timestamp with offset: '" + text + "'", e);
        }
    }

    private static LocalDateTime wallTime(String text) {
        try {
            return LocalDateTime.parse(text.trim(), WALL_TIME);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a YYYY-MM-DD HH:MM:SS[.ffffff] wall time: '" + text + "'", e);
        }
    }

    /** The store keeps microseconds (TIMESTAMP WITH TIME ZONE in H2 and PostgreSQL), as FreshBooks writes them. */
    private static Instant micros(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    private static int fractionDigits(String text) {
        int dot = text.trim().lastIndexOf('.');
        return dot < 0 ? 0 : Math.min(6, text.trim().length() - dot - 1);
    }

    private static String text(JsonNode value) {
        return value.isString() && !value.asString().isBlank() ? value.asString() : null;
    }
}
