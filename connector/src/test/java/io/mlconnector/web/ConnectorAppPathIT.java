package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConnectorConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Any route's path parameter that does not decode answers 400, never 500 (issue 10, item 4). */
class ConnectorAppPathIT {

    ConnectorApp app;

    @BeforeEach
    void start() {
        ConnectorConfig.Server server = new ConnectorConfig.Server("127.0.0.1", 0, URI.create("https://hooks.example.com"),
                Duration.ofSeconds(5));
        RouteModule echo = routes -> routes.post("/api/batches/{batchId}/replay", ctx -> ctx.result(ctx.pathParam("batchId")));
        app = new ConnectorApp(server, List.of(echo)).start();
    }

    @AfterEach
    void stop() {
        app.close();
    }

    @Test
    void undecodablePathParametersAndQueriesAre400() throws Exception {
        for (String target : List.of("/api/batches/%u002e/replay", "/api/batches/1%u0031/replay", "/api/batches/%C3%28/replay",
                "/api/batches/%zz/replay", "/api/batches/1/replay?x=%u002e", "/api/batches/1/replay?x=%FF")) {
            assertThat(RawHttp.send(app.port(), "POST", target).status()).as(target).isEqualTo(400);
        }
    }

    @Test
    void wellFormedEscapesStillReachTheRoute() throws Exception {
        assertThat(RawHttp.send(app.port(), "POST", "/api/batches/b%2D1/replay").status()).isEqualTo(200);
        assertThat(RawHttp.send(app.port(), "POST", "/api/batches/caf%C3%A9/replay?x=a%20b").status()).isEqualTo(200);
    }
}
