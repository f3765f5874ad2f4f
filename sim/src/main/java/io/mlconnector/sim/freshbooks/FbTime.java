package io.mlconnector.sim.freshbooks;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** The wire formats of FreshBooks timestamps (reference §7): Eastern wall time, UTC wall time, ISO UTC. */
public final class FbTime {

    public static final ZoneId EASTERN = ZoneId.of("America/New_York");
    private static final DateTimeFormatter WALL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter WALL_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private FbTime() {}

    /** {@code updated}, {@code created_at} on most accounting records: zone-less US/Eastern, DST-aware. */
    public static String eastern(Instant t) {
        return WALL.format(t.atZone(EASTERN));
    }

    /** Invoice {@code version}: Eastern with microseconds. */
    public static String easternMicros(Instant t) {
        return WALL_MICROS.format(t.truncatedTo(ChronoUnit.MICROS).atZone(EASTERN));
    }

    /** Client {@code signup_date}, bill and bill vendor {@code created_at}/{@code updated_at}: zone-less UTC. */
    public static String utcWall(Instant t) {
        return WALL.format(t.atZone(ZoneOffset.UTC));
    }

    /** Identity timestamps and callback {@code updated_at}: ISO-8601 UTC to the second. */
    public static String isoUtc(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Ledger account {@code updated_at}: ISO-8601 UTC with microseconds. */
    public static String isoUtcMicros(Instant t) {
        return ISO_MICROS.format(t.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC));
    }

    public static LocalDate easternDate(Instant t) {
        return t.atZone(EASTERN).toLocalDate();
    }

    /** The Eastern calendar date of an Eastern wall-time string. */
    public static LocalDate dateOfWall(String wall) {
        return LocalDate.parse(wall.substring(0, 10));
    }
}
