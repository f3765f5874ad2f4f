package io.mlconnector.cli;

import io.mlconnector.config.ConfigLoader;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values the command line checks as it reads them, with the same words as the configuration file's. */
final class Converters {
    private static final String DURATION_FORMS = "500ms, 30s, 5m, 1h, 1d or PT30S";

    private Converters() {}

    /** A positive duration in the configuration's forms ({@link ConfigLoader#parseDuration}). */
    static final class PositiveDuration implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value == null || value.isBlank()) {
                throw new TypeConversionException("is empty; give a duration such as " + DURATION_FORMS);
            }
            Duration duration = ConfigLoader.parseDuration(value);
            if (duration == null) {
                throw new TypeConversionException("'" + value + "' is not a duration; use " + DURATION_FORMS
                        + " (a number needs its unit)");
            }
            if (duration.isNegative() || duration.isZero()) {
                throw new TypeConversionException("'" + value + "' is not positive");
            }
            return duration;
        }
    }

    /** An absolute http(s) URL such as http://localhost:8080. */
    static final class HttpUrl implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI uri = ConfigLoader.parseHttpUrl(value.strip());
            if (uri != null) {
                return uri;
            }
            throw new TypeConversionException("'" + value + "' is not an http(s) URL such as http://localhost:8080");
        }
    }

    /** A TCP port, 0 (any free port) to 65535. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int port = Integer.parseInt(value.strip());
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new TypeConversionException("'" + value + "' is not a port; use 1 to 65535, or 0 for any free port");
        }
    }

    /** A point in time: an ISO instant (2026-01-02T10:00:00Z) or a date (2026-01-02, its start in UTC). */
    static final class PointInTime implements ITypeConverter<java.time.Instant> {
        @Override
        public java.time.Instant convert(String value) {
            try {
                return value.length() == 10 ? java.time.LocalDate.parse(value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant()
                        : java.time.OffsetDateTime.parse(value).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a time; use 2026-01-02T10:00:00Z or 2026-01-02 (UTC)");
            }
        }
    }
}
