package io.mlconnector.cli;

import io.mlconnector.app.Connector;
import io.mlconnector.config.ConfigLoader;
import io.mlconnector.config.LogFormat;
import io.mlconnector.config.ConnectorConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the connector service until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the connector service: public webhook and OAuth listener, pipeline, admin listener (Ctrl-C to stop).")
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--config", defaultValue = ConfigLoader.FILE_NAME,
            description = "Configuration file (default ${DEFAULT-VALUE}); ML_CONNECTOR_* environment variables override it.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        ConnectorConfig config = new ConfigLoader().load(configFile, System.getenv());
        if (config.log().format() != LogFormat.atStartUp(System.getenv())) {
            config.log().format().apply(); // log.format from the file: logback.xml only saw the environment
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Connector connector = Connector.start(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            connector.close();
            stopped.countDown();
        }));
        System.out.println("ml-connector: public listener on port " + connector.port() + " (webhooks at "
                + config.server().publicBaseUrl() + "/hooks/freshbooks/..., OAuth, /health)");
        System.out.println("admin listener at http://" + config.admin().bindHost() + ":" + connector.adminPort()
                + " (status page /, /api/status, /metrics" + (config.admin().token() == null ? "" : "; needs admin.token") + ")");
        ServeCommand.whereToGo(config, configFile, connector.adminPort()).forEach(System.out::println);
        stopped.await();
        return 0;
    }

    /** Where a person goes next once the service runs: connecting a business, then its status. */
    static java.util.List<String> whereToGo(ConnectorConfig config, Path configFile, int adminPort) {
        String admin = "http://" + config.admin().bindHost() + ":" + adminPort;
        return java.util.List.of(
                "Connect a business: mlc connect freshbooks --config " + configFile + "  (or POST " + admin
                        + "/api/connect/freshbooks), then open the link it prints in a browser; its backfill shows in this log.",
                "Status: mlc status --config " + configFile + "  (or open " + admin + "/ in a browser)");
    }
}
