package io.mlconnector.web;

import io.javalin.Javalin;
import io.javalin.json.JavalinJackson3;
import io.mlconnector.config.ConnectorConfig;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP server: Javalin with the given route modules (webhooks, health, and later the API and status
 * page). Collaborators come in through the modules; nothing is static, so tests start it on port 0.
 */
public final class ConnectorApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectorApp.class);

    private final Javalin javalin;

    public ConnectorApp(ConnectorConfig.Server server, List<RouteModule> modules) {
        this(server, modules, JsonMapper.builder().build());
    }

    public ConnectorApp(ConnectorConfig.Server server, List<RouteModule> modules, JsonMapper json) {
        this.javalin = Javalin.create(cfg -> {
            cfg.jetty.host = server.bindHost();
            cfg.jetty.port = server.port();
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.jsonMapper(new JavalinJackson3(json, false));
            modules.forEach(module -> module.addRoutes(cfg.routes));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                // A bug, not bad input: log the type only (messages may quote request data).
                log.error("Unhandled {} on a {} request", e.getClass().getName(), ctx.method()); // the path may hold a callback token
                ctx.status(500).contentType("text/plain").result("internal error");
            });
        });
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
