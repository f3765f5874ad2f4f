package io.mlconnector.app;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.mlconnector.status.Freshness;
import io.mlconnector.status.MinuteBuckets;
import io.mlconnector.status.RecentActivity;
import io.mlconnector.web.RouteModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The status page on the admin surface (docs/status-page.md): {@code GET /} is a static page whose script polls
 * {@code GET /api/status/page} (the status API's answer plus the last hour's activity) and draws it. Its files are
 * classpath resources under {@code status/}, served from here, so the Content-Security-Policy allows only this
 * server's scripts and styles.
 */
final class StatusPageRoutes implements RouteModule {
    /** The page's files, by the path they are served at, with their content types. */
    private static final Map<String, String> FILES = Map.of(
            "/", "status/index.html",
            "/status/status.css", "status/status.css",
            "/status/status.js", "status/status.js",
            "/status/favicon.svg", "status/favicon.svg");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "svg", "image/svg+xml");

    private final Operations operations;
    private final RecentActivity activity;
    private final Map<String, byte[]> files;

    StatusPageRoutes(Operations operations, RecentActivity activity) {
        this.operations = operations;
        this.activity = activity;
        this.files = Map.copyOf(FILES.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                Map.Entry::getKey, e -> resource(e.getValue()))));
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        FILES.forEach((path, resource) -> routes.get(path, ctx -> serve(ctx, path, resource)));
        routes.get("/api/status/page", ctx -> ctx.json(new PageData(operations.status(), view(activity.read()))));
    }

    private void serve(Context ctx, String path, String resource) {
        ctx.contentType(TYPES.get(resource.substring(resource.lastIndexOf('.') + 1))).result(files.get(path));
    }

    /** What the page's script reads: the status API's answer and the last hour. */
    record PageData(Operations.Status status, Activity activity) {}

    /**
     * The last hour for the page, durations in milliseconds (null: nothing to measure).
     *
     * @param freshnessNowMs how far Power BI lags now: the oldest waiting event's age, or the last delay when that
     *                       is longer
     */
    record Activity(Instant at, Instant since, List<MinuteBuckets.Minute> eventsIn, List<MinuteBuckets.Minute> rowsPushed,
                    long eventsLastHour, long rowsLastHour, Long freshnessNowMs, Long lastMs, Instant lastAcceptedAt,
                    Long p50Ms, Long p95Ms, Long maxMs, long freshnessRows, Instant oldestWaitingEvent,
                    Map<String, Long> waitingByTable, Map<String, Long> backfillWaiting) {}

    static Activity view(RecentActivity.Snapshot s) {
        Freshness.Summary f = s.freshness();
        return new Activity(s.at(), s.since(), s.eventsIn(), s.rowsPushed(), s.eventsLastHour(), s.rowsLastHour(),
                millis(RecentActivity.freshnessNow(s)), millis(f.last()), f.lastAcceptedAt(), millis(f.p50()),
                millis(f.p95()), millis(f.max()), f.rows(), s.oldestWaitingEvent(), s.waitingByTable(),
                s.backfillWaiting());
    }

    private static Long millis(Duration d) {
        return d == null ? null : d.toMillis();
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusPageRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the status page's " + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
