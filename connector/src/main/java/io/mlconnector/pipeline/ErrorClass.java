package io.mlconnector.pipeline;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The class of a stored error (a quarantined batch's or a dead letter's {@code last_error}), for
 * {@code mlc replay --error CLASS}: {@code http-NNN} for an answer with that status, {@code unreachable} when no answer
 * came, the exception's name when one is named, else {@code other}. A pure function of the text.
 */
public final class ErrorClass {
    private static final Pattern STATUS = Pattern.compile("(?:answered|HTTP|status)\\s+([1-5]\\d\\d)\\b|^([1-5]\\d\\d)\\b");
    private static final Pattern EXCEPTION = Pattern.compile("\\b([A-Z]\\w*(?:Exception|Error))\\b");

    private ErrorClass() {
    }

    public static String of(String error) {
        if (error == null || error.isBlank()) {
            return "other";
        }
        Matcher status = STATUS.matcher(error);
        if (status.find()) {
            return "http-" + (status.group(1) != null ? status.group(1) : status.group(2));
        }
        String lower = error.toLowerCase(Locale.ROOT);
        if (lower.contains("unreachable") || lower.contains("timed out") || lower.contains("connectexception")
                || lower.contains("no response")) {
            return "unreachable";
        }
        Matcher exception = EXCEPTION.matcher(error);
        return exception.find() ? exception.group(1) : "other";
    }

    /** {@code --error} matches an error by its class, or by words it contains (case ignored): {@code 503}, {@code InvalidValue}. */
    public static boolean matches(String wanted, String error) {
        if (wanted == null || wanted.isBlank()) {
            return true;
        }
        String w = wanted.strip().toLowerCase(Locale.ROOT);
        return of(error).toLowerCase(Locale.ROOT).equals(w) || (error != null && error.toLowerCase(Locale.ROOT).contains(w));
    }
}
