package io.mlconnector.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson3;
import io.mlconnector.config.ConnectorConfig;
import java.util.List;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP server: Javalin with the given route modules (webhooks, health, and later the API and status
 * page). Collaborators come in through the modules; nothing is static, so tests start it on port 0.
 */
public final class ConnectorApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectorApp.class);

    /** Bytes per second a request body must average; an honest webhook (under 64 KiB) arrives far faster. */
    static final long MIN_REQUEST_DATA_RATE = 512;
    /** Server threads per listener: the concurrent body reads, Jetty's acceptor and selectors, and some to spare. */
    static final int MAX_THREADS = WebhookIntake.MAX_CONCURRENT_BODIES + 16;

    private final Javalin javalin;

    public ConnectorApp(ConnectorConfig.Server server, List<RouteModule> modules) {
        this(server, modules, JsonMapper.builder().build());
    }

    public ConnectorApp(ConnectorConfig.Server server, List<RouteModule> modules, JsonMapper json) {
        this(server.bindHost(), server.port(), modules, json);
    }

    /** A listener on {@code host:port}: the public one (webhooks, OAuth) or the admin one (status, metrics, actions). */
    public ConnectorApp(String host, int port, List<RouteModule> modules, JsonMapper json) {
        this.javalin = Javalin.create(cfg -> {
            cfg.jetty.host = host;
            cfg.jetty.port = port;
            // Javalin's default pool grows to 250. Webhook answers wait for their group commit without a thread and
            // body reads are capped (WebhookIntake.MAX_CONCURRENT_BODIES), yet 64 connections whose answers left
            // together came back together and grew the pool to ~75 threads that then stayed; more requests wait
            // for a thread instead.
            QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 8, 60_000);
            threads.setName("JettyServerThreadPool");
            cfg.jetty.threadPool = threads;
            // A body that dribbles in (a byte every few seconds resets any idle timeout) is cut off with 408.
            cfg.jetty.modifyHttpConfiguration(http -> http.setMinRequestDataRate(MIN_REQUEST_DATA_RATE));
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson3(json, false));
            cfg.routes.before(SecurityHeaders::add);
            cfg.routes.before(ConnectorApp::refuseUndecodableTarget); // first, before any path parameter is read
            modules.forEach(module -> module.addRoutes(cfg.routes));
            // Javalin's own 404/405 bodies quote the path, which on the webhook route holds the callback token.
            cfg.routes.error(404, ctx -> replaceBodyQuotingPath(ctx, "not found"));
            cfg.routes.error(405, ctx -> replaceBodyQuotingPath(ctx, "method not allowed"));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                // A bug, not bad input: log the type only (messages may quote request data).
                log.error("Unhandled {} on a {} request", e.getClass().getName(), ctx.method()); // the path may hold a callback token
                ctx.status(500).contentType("text/plain").result("internal error");
            });
        });
    }

    /** A path or query that does not decode is bad input: 400, instead of the 500 Javalin's decoder would cause. */
    private static void refuseUndecodableTarget(Context ctx) {
        if (!PercentEncoding.decodes(ctx.req().getRequestURI()) || !PercentEncoding.decodes(ctx.req().getQueryString())) {
            ctx.status(400).contentType("text/plain").result("malformed request path");
            ctx.skipRemainingHandlers();
        }
    }

    private static void replaceBodyQuotingPath(Context ctx, String body) {
        String result = ctx.result();
        if (result == null || result.isBlank() || result.contains(ctx.req().getRequestURI()) || result.contains(ctx.path())) {
            ctx.contentType("text/plain").result(body);
        }
    }

    public ConnectorApp start() {
        javalin.start();
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
