package io.mlconnector.sim.common;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Injects 429s, 5xx and slow answers into a simulator, for a share of requests, within a time window or for the next
 * N matching requests. Installed as a before-handler (Entra) or called by the handlers (FreshBooks, Power BI).
 *
 * <p>The {@link #CLASSIC} kinds work in every simulator. The others only mean something to the Power BI simulator,
 * which asks for them explicitly ({@link #decide(String, Set)}); everywhere else such a rule is skipped, not used up.
 */
public final class FaultInjector {

    /**
     * LATENCY sleeps; HOLD parks the request until a test releases its latch (so requests stay in flight).
     *
     * <p>Power BI only: ACCEPT_THEN_DROP applies the POST rows, then closes the connection with no answer;
     * ACCEPT_THEN_HANG applies them, then holds the 200 for {@code latency} (longer than the client waits);
     * UNAUTHORIZED_SWITCH answers 401 ServicePrincipalIsNotAllowedByTenantAdminSwitch, FORBIDDEN 403
     * PowerBINotAuthorizedException and BAD_VALUE a 400 about a row value, all with nothing written.
     */
    public enum Kind {
        THROTTLE, SERVER_ERROR, LATENCY, HOLD,
        ACCEPT_THEN_DROP, ACCEPT_THEN_HANG, UNAUTHORIZED_SWITCH, FORBIDDEN, BAD_VALUE
    }

    /** The kinds every simulator understands; {@link #decide(String)} only picks these. */
    public static final Set<Kind> CLASSIC = java.util.Collections.unmodifiableSet(
            EnumSet.of(Kind.THROTTLE, Kind.SERVER_ERROR, Kind.LATENCY, Kind.HOLD));

    /** The longest a HOLD keeps a request, so a forgotten latch cannot hang a server thread for ever. */
    public static final Duration MAX_HOLD = Duration.ofSeconds(30);

    /**
     * One fault rule. {@code share} is the probability (0..1) that a matching request is hit;
     * {@code from}/{@code until} bound the window on the simulator's clock (null = open);
     * {@code pathContains} limits it to some paths (null = all); {@code times} limits it to the next that many
     * requests it hits (null = no limit), counted from when it is added.
     */
    public record Rule(Kind kind, double share, Instant from, Instant until, String pathContains,
                       int status, int retryAfterSeconds, Duration latency, CountDownLatch release, Integer times) {

        public Rule {
            if (times != null && times < 1) {
                throw new IllegalArgumentException("times must be at least 1: " + times);
            }
        }

        public Rule(Kind kind, double share, Instant from, Instant until, String pathContains,
                    int status, int retryAfterSeconds, Duration latency, CountDownLatch release) {
            this(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, release, null);
        }

        public Rule(Kind kind, double share, Instant from, Instant until, String pathContains,
                    int status, int retryAfterSeconds, Duration latency) {
            this(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, null, null);
        }

        public static Rule throttle(double share, int retryAfterSeconds) {
            return new Rule(Kind.THROTTLE, share, null, null, null, 429, retryAfterSeconds, Duration.ZERO);
        }

        public static Rule serverError(double share, int status) {
            return new Rule(Kind.SERVER_ERROR, share, null, null, null, status, 0, Duration.ZERO);
        }

        public static Rule latency(double share, Duration latency) {
            return new Rule(Kind.LATENCY, share, null, null, null, 200, 0, latency);
        }

        /** Every matching request waits until {@code release} is counted down (at most {@link #MAX_HOLD}). */
        public static Rule hold(CountDownLatch release) {
            return new Rule(Kind.HOLD, 1.0, null, null, null, 200, 0, Duration.ZERO, release);
        }

        /** Power BI POST rows: the rows are applied, then the connection is closed without an answer. */
        public static Rule acceptThenDrop() {
            return new Rule(Kind.ACCEPT_THEN_DROP, 1.0, null, null, null, 0, 0, Duration.ZERO);
        }

        /** Power BI POST rows: the rows are applied, then the 200 is held for {@code hang} (at most {@link #MAX_HOLD}). */
        public static Rule acceptThenHang(Duration hang) {
            if (hang.isNegative() || hang.compareTo(MAX_HOLD) > 0) {
                throw new IllegalArgumentException("hang must be from 0 to " + MAX_HOLD + ": " + hang);
            }
            return new Rule(Kind.ACCEPT_THEN_HANG, 1.0, null, null, null, 200, 0, hang);
        }

        /** Power BI: 401 ServicePrincipalIsNotAllowedByTenantAdminSwitch, nothing written. */
        public static Rule unauthorizedSwitch() {
            return new Rule(Kind.UNAUTHORIZED_SWITCH, 1.0, null, null, null, 401, 0, Duration.ZERO);
        }

        /** Power BI: 403 PowerBINotAuthorizedException, nothing written. */
        public static Rule forbidden() {
            return new Rule(Kind.FORBIDDEN, 1.0, null, null, null, 403, 0, Duration.ZERO);
        }

        /** Power BI POST rows: 400 about a wrongly typed value, nothing written. */
        public static Rule badValue() {
            return new Rule(Kind.BAD_VALUE, 1.0, null, null, null, 400, 0, Duration.ZERO);
        }

        public Rule during(Instant from, Instant until) {
            return new Rule(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, release, times);
        }

        public Rule onPathsContaining(String fragment) {
            return new Rule(kind, share, from, until, fragment, status, retryAfterSeconds, latency, release, times);
        }

        /** Hits only the next {@code n} matching requests (e.g. {@code times(1)}: exactly one), then stays idle. */
        public Rule times(int n) {
            return new Rule(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, release, n);
        }

        /** Hits every matching request that wins its share roll (the default). */
        public Rule withShare(double share) {
            return new Rule(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, release, times);
        }

        boolean matches(String path, Instant now) {
            return (from == null || !now.isBefore(from))
                    && (until == null || now.isBefore(until))
                    && (pathContains == null || path.contains(pathContains));
        }
    }

    /** What happened to a request, for tests that count injected faults. */
    public record Injected(Kind kind, String path, Instant at) {}

    private final Clock clock;
    private final Random random;
    /** A rule as added, with how often it has hit (its own counter, so equal rules added twice count apart). */
    private record Entry(Rule rule, AtomicInteger hits) {
        /** Takes one of the rule's {@code times}; false when they are used up. */
        boolean take() {
            if (rule.times() == null) {
                hits.incrementAndGet();
                return true;
            }
            int seen;
            do {
                seen = hits.get();
                if (seen >= rule.times()) {
                    return false;
                }
            } while (!hits.compareAndSet(seen, seen + 1));
            return true;
        }
    }

    private final List<Entry> rules = new CopyOnWriteArrayList<>();
    private final List<Injected> injected = new CopyOnWriteArrayList<>();

    public FaultInjector(Clock clock, long seed) {
        this.clock = clock;
        this.random = new Random(seed);
    }

    public void add(Rule rule) {
        rules.add(new Entry(rule, new AtomicInteger()));
    }

    public void clear() {
        rules.clear();
    }

    /** The rules in the order they are tried. */
    public List<Rule> rules() {
        return rules.stream().map(Entry::rule).toList();
    }

    /** How many requests each rule has hit so far, in the order of {@link #rules()}. */
    public List<Integer> hits() {
        return rules.stream().map(e -> e.hits().get()).toList();
    }

    /** The clock judging the rules' windows. */
    public Clock clock() {
        return clock;
    }

    public List<Injected> injected() {
        return List.copyOf(injected);
    }

    /** Picks the fault (if any) of a {@link #CLASSIC} kind for one request: the first matching rule wins. */
    public Optional<Rule> decide(String path) {
        return decide(path, CLASSIC);
    }

    /**
     * Picks the fault (if any) for one request among rules of the given kinds (those the endpoint can carry out):
     * the first rule that matches path and window, wins its share roll and has {@code times} left. Rules of other
     * kinds are skipped without using them up, so e.g. an ACCEPT_THEN_DROP on "/rows" waits for a POST rows and is
     * not spent on a DELETE rows.
     */
    public Optional<Rule> decide(String path, Set<Kind> kinds) {
        Instant now = clock.instant();
        for (Entry entry : rules) {
            Rule rule = entry.rule();
            if (kinds.contains(rule.kind()) && rule.matches(path, now) && roll(rule.share()) && entry.take()) {
                injected.add(new Injected(rule.kind(), path, now));
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }

    private boolean roll(double share) {
        if (share >= 1.0) {
            return true;
        }
        synchronized (random) {
            return random.nextDouble() < share;
        }
    }

    /**
     * A Javalin before-handler applying this injector; {@code errorBody} renders the simulator's own error shape.
     * The simulator's own {@code /sim} paths (views, {@link FaultControl}) are never faulted.
     */
    public Handler beforeHandler(ErrorBody errorBody) {
        return ctx -> {
            if (ctx.path().equals("/sim") || ctx.path().startsWith("/sim/")) {
                return;
            }
            Optional<Rule> rule = decide(ctx.path());
            if (rule.isPresent()) {
                apply(rule.get(), ctx, errorBody);
            }
        };
    }

    /** Delays the current request for a LATENCY or HOLD rule; does nothing for the others. */
    public static void delay(Rule rule) throws InterruptedException {
        if (rule.kind() == Kind.LATENCY) {
            Thread.sleep(rule.latency().toMillis());
        } else if (rule.kind() == Kind.HOLD) {
            rule.release().await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void apply(Rule rule, Context ctx, ErrorBody errorBody) throws InterruptedException {
        switch (rule.kind()) {
            case LATENCY, HOLD -> delay(rule);
            case THROTTLE -> {
                ctx.status(429).header("Retry-After", Integer.toString(rule.retryAfterSeconds()))
                        .contentType("application/json").result(errorBody.render(429, "injected throttle"));
                ctx.skipRemainingHandlers();
            }
            case SERVER_ERROR -> {
                ctx.status(rule.status()).contentType("application/json")
                        .result(errorBody.render(rule.status(), "injected server error"));
                ctx.skipRemainingHandlers();
            }
            default -> { } // not CLASSIC: never picked by decide(path)
        }
    }

    /** Renders a simulator's error body for an injected status. */
    @FunctionalInterface
    public interface ErrorBody {
        String render(int status, String message);
    }
}
