package io.mlconnector.web;

import io.javalin.config.RoutesConfig;

/** A group of routes added to the app; each feature (webhooks, health, API, status page) is one module. */
@FunctionalInterface
public interface RouteModule {

    void addRoutes(RoutesConfig routes);
}
