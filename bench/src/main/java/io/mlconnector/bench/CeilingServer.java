package io.mlconnector.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.store.Database;
import io.mlconnector.store.InboxEvent;
import io.mlconnector.store.InboxRepository;
import io.mlconnector.store.InboxWriter;
import io.mlconnector.web.ConnectorApp;
import io.mlconnector.web.RouteModule;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two ceilings of webhook ingest (issue 14), on the connector's own HTTP server ({@link ConnectorApp}: same
 * Jetty, same filters) in a JVM started like {@code mlc serve}'s:
 * <ul>
 *   <li>{@code verify}: parse the form, check the signature against a verifier held in memory, answer 204;</li>
 *   <li>{@code store}: the same, then the connector's group commit ({@link InboxWriter}: one writer thread, one
 *       transaction per group, forced to disk before the 204s).</li>
 * </ul>
 * What the real intake adds on top is the per-request work: the callback looked up and its verifier decrypted,
 * the event checked against the callback's family, limits and metrics.
 * <p>{@code java … CeilingServer verify|store PORT VERIFIER [JDBC_URL USER PASSWORD]}
 */
public final class CeilingServer {
    private CeilingServer() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        String verifier = args[2];
        InboxWriter writer = null;
        if (mode.equals("store")) {
            Database database = Database.open(new ConnectorConfig.Store(args[3], args[4], args[5], 4));
            writer = new InboxWriter(database, new InboxRepository(), new SimpleMeterRegistry(), 1000).start();
        } else if (!mode.equals("verify")) {
            throw new IllegalArgumentException("mode is verify or store, not " + mode);
        }
        InboxWriter store = writer;
        Clock clock = Clock.systemUTC();
        RouteModule routes = cfg -> {
            cfg.get("/health", ctx -> ctx.result("ok"));
            cfg.post("/hooks/freshbooks/{callbackToken}", ctx -> {
                Map<String, String> fields = WebhookSignature.parseForm(
                        new String(ctx.bodyAsBytes(), StandardCharsets.ISO_8859_1));
                if (!WebhookSignature.verify(fields, ctx.header(WebhookSignature.HEADER), verifier)) {
                    ctx.status(401).result("bad_signature");
                    return;
                }
                if (store != null) {
                    String name = fields.get("name");
                    store.submit(new InboxEvent(clock.instant(), fields.get("account_id"), ctx.pathParam("callbackToken"),
                            name, name.substring(0, name.indexOf('.')), fields.get("object_id"),
                            WebhookSignature.canonicalJson(fields))).get(10, TimeUnit.SECONDS);
                }
                ctx.status(204);
            });
        };
        new ConnectorApp(new ConnectorConfig.Server("127.0.0.1", port, URI.create("http://127.0.0.1:" + port),
                Duration.ofSeconds(10)), List.of(routes)).start();
        System.out.println("ceiling '" + mode + "' listening on " + port);
    }
}
