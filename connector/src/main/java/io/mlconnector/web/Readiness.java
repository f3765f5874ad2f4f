package io.mlconnector.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this instance is ready to do its work, by named checks (store reachable, workers running, keyset
 * decrypts, Power BI route not paused): each answers nothing when fine, else a one-line problem. A check that
 * throws fails with the exception's message. Served as {@code GET /ready} by {@link ReadyRoutes}.
 */
public final class Readiness {
    /** One named check: empty when fine, else what is wrong. */
    public record Check(String name, Supplier<Optional<String>> problem) {}

    /** Each check's answer ({@code ok} or its problem), in the checks' order; ready when all are ok. */
    public record Report(boolean ready, Map<String, String> checks) {
        public List<String> failing() {
            return checks.entrySet().stream().filter(e -> !OK.equals(e.getValue())).map(Map.Entry::getKey).toList();
        }
    }

    public static final String OK = "ok";

    private final List<Check> checks;

    public Readiness(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    public Report check() {
        Map<String, String> results = new LinkedHashMap<>();
        for (Check check : checks) {
            String result;
            try {
                result = check.problem().get().orElse(OK);
            } catch (RuntimeException e) {
                result = String.valueOf(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        .replaceAll("\\s+", " ");
            }
            results.put(check.name(), result);
        }
        return new Report(results.values().stream().allMatch(OK::equals), results);
    }
}
