package io.mlconnector.sim.common;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Injects 429s, 5xx and slow answers into a simulator, for a share of requests or within a time window.
 * Installed as a before-handler; the simulator's own handlers never see a request that was failed here.
 */
public final class FaultInjector {

    /** LATENCY sleeps; HOLD parks the request until a test releases its latch (so requests stay in flight). */
    public enum Kind { THROTTLE, SERVER_ERROR, LATENCY, HOLD }

    /** The longest a HOLD keeps a request, so a forgotten latch cannot hang a server thread for ever. */
    public static final Duration MAX_HOLD = Duration.ofSeconds(30);

    /**
     * One fault rule. {@code share} is the probability (0..1) that a matching request is hit;
     * {@code from}/{@code until} bound the window on the simulator's clock (null = open);
     * {@code pathContains} limits it to some paths (null = all).
     */
    public record Rule(Kind kind, double share, Instant from, Instant until, String pathContains,
                       int status, int retryAfterSeconds, Duration latency, CountDownLatch release) {

        public Rule(Kind kind, double share, Instant from, Instant until, String pathContains,
                    int status, int retryAfterSeconds, Duration latency) {
            this(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, null);
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

        public Rule during(Instant from, Instant until) {
            return new Rule(kind, share, from, until, pathContains, status, retryAfterSeconds, latency, release);
        }

        public Rule onPathsContaining(String fragment) {
            return new Rule(kind, share, from, until, fragment, status, retryAfterSeconds, latency, release);
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
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Injected> injected = new CopyOnWriteArrayList<>();

    public FaultInjector(Clock clock, long seed) {
        this.clock = clock;
        this.random = new Random(seed);
    }

    public void add(Rule rule) {
        rules.add(rule);
    }

    public void clear() {
        rules.clear();
    }

    /** The rules in the order they are tried. */
    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    /** The clock judging the rules' windows. */
    public Clock clock() {
        return clock;
    }

    public List<Injected> injected() {
        return List.copyOf(injected);
    }

    /** Picks the fault (if any) for one request; latency rules do not stop the search for an error rule. */
    public Optional<Rule> decide(String path) {
        Instant now = clock.instant();
        for (Rule rule : rules) {
            if (rule.matches(path, now) && roll(rule.share())) {
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
        }
    }

    /** Renders a simulator's error body for an injected status. */
    @FunctionalInterface
    public interface ErrorBody {
        String render(int status, String message);
    }
}
