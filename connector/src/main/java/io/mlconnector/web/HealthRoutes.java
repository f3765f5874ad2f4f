package io.mlconnector.web;

import io.javalin.config.RoutesConfig;
import io.mlconnector.store.Database;
import java.util.Map;

/** {@code GET /health}: 200 when the store answers, 503 otherwise (for load balancers and the CLI). */
public final class HealthRoutes implements RouteModule {

    private final Database database;

    public HealthRoutes(Database database) {
        this.database = database;
    }

    @Override
    public void addRoutes(RoutesConfig routes) {
        routes.get("/health", ctx -> {
            if (storeAnswers()) {
                ctx.json(Map.of("status", "up"));
            } else {
                ctx.status(503).json(Map.of("status", "down", "reason", "store does not answer"));
            }
        });
    }

    private boolean storeAnswers() {
        try {
            return database.jdbi().withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
