package io.mlconnector.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps the secret part of webhook URLs out of every log line, whoever writes it (Jetty's WARN lines quote the
 * request path): a line that would carry {@code /hooks/freshbooks/<token>} is dropped and written again with
 * the token shortened to its first 6 characters, and an exception reduced to its redacted one-line summary.
 * Installed in logback.xml, so text and JSON output both get it.
 */
public final class CallbackTokenRedaction extends TurboFilter {

    private static final Pattern TOKEN_IN_PATH = Pattern.compile("(/hooks/freshbooks/)([^/?#\\s\"'<>]{6})[^/?#\\s\"'<>]+");

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || !logger.isEnabledFor(level)) {
            return FilterReply.NEUTRAL;
        }
        Throwable thrown0 = t != null ? t : MessageFormatter.getThrowableCandidate(params); // slf4j: a last Throwable argument
        String message = params == null || params.length == 0 ? format
                : MessageFormatter.arrayFormat(format, params, thrown0).getMessage();
        String thrown = summary(thrown0);
        if (!TOKEN_IN_PATH.matcher(message).find() && !TOKEN_IN_PATH.matcher(thrown).find()) {
            return FilterReply.NEUTRAL;
        }
        String redacted = redact(message) + (thrown.isEmpty() ? "" : " (" + redact(thrown) + ")");
        // Written directly to the appenders: the redacted line cannot match again, and turbo filters are not re-run.
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, level, redacted, null, null);
        if (marker != null) {
            event.addMarker(marker);
        }
        logger.callAppenders(event);
        return FilterReply.DENY;
    }

    /** The text with every callback token in a webhook path cut to its first 6 characters. */
    public static String redact(String text) {
        Matcher m = TOKEN_IN_PATH.matcher(text);
        return m.replaceAll("$1$2…");
    }

    private static String summary(Throwable t) {
        StringBuilder out = new StringBuilder();
        for (Throwable e = t; e != null && out.length() < 2000; e = e.getCause() == e ? null : e.getCause()) {
            out.append(out.length() == 0 ? "" : "; caused by ").append(e);
        }
        return out.toString();
    }
}
