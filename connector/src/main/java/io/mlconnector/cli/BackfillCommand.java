package io.mlconnector.cli;

import io.mlconnector.app.BackfillTypes;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts a backfill in the running connector (it runs there, in the background) and watches it: a progress bar on a
 * terminal, a plain line every few seconds otherwise, and a summary line at the end. Ctrl-C stops watching only.
 */
@Command(name = "backfill", mixinStandardHelpOptions = true,
        description = {
                "Read the FreshBooks records of the connected businesses again and push what Power BI lacks. The "
                        + "backfill runs in the connector; this command starts it and shows its progress (records "
                        + "fetched, rows queued and pushed, rate, ETA) until it ends. Ctrl-C stops watching, not the "
                        + "backfill; `mlc status` shows it too.",
                "Resumable: each listing's next page is kept in the store, so the same backfill started again within "
                        + "24 hours of a crash or a failure continues where it stopped (--from-start reads everything).",
                "Exit 0 when done, 1 when it stopped (the line says why) or a tenant is unknown, 2 for a bad option, "
                        + "3 when its rows have not all reached Power BI within --push-wait (mlc status says why)."})
public final class BackfillCommand implements Callable<Integer> {
    static final Duration POLL = Duration.ofMillis(500);
    static final Duration PLAIN_LINE_EVERY = Duration.ofSeconds(5);

    @Option(names = "--tenant", paramLabel = "TENANT",
            description = "The tenant (as `mlc status` lists it) to backfill; default, or `all`: every active tenant.")
    String tenant;

    @Option(names = "--since", paramLabel = "YYYY-MM-DD",
            description = "Only records changed since this date (US Eastern, as FreshBooks filters); types FreshBooks "
                    + "cannot filter by date are read whole.")
    LocalDate since;

    @Option(names = "--tables", paramLabel = "NAMES", split = ",",
            description = "Only these FreshBooks records, comma separated: ${COMPLETION-CANDIDATES}. Default: all.",
            completionCandidates = Names.class)
    List<String> tables;

    @Option(names = "--from-start", description = "Read every page, ignoring where an interrupted backfill stopped.")
    boolean fromStart;

    @Option(names = "--push-wait", paramLabel = "DURATION", defaultValue = "2m", converter = Converters.PositiveDuration.class,
            description = "Once everything is read, how long to wait for Power BI to take rows without any moving "
                    + "before ending with exit 3 (default: ${DEFAULT-VALUE}).")
    Duration pushWait;

    @Mixin
    ServiceOptions service;

    @Spec
    CommandSpec spec;

    static final class Names extends ArrayList<String> {
        Names() {
            super(BackfillTypes.names());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        if (tables != null) {
            try {
                BackfillTypes.of(tables);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        ConnectorService connector = service.service();
        JsonNode started = start(connector);
        String id = started.path("id").asString();
        PrintWriter out = spec.commandLine().getOut();
        return watch(connector, id, out);
    }

    private JsonNode start(ConnectorService connector) {
        StringBuilder path = new StringBuilder("/api/backfills?tenant=").append(encode(tenant == null ? "all" : tenant));
        if (since != null) {
            path.append("&since=").append(since);
        }
        if (tables != null) {
            path.append("&tables=").append(encode(String.join(",", tables)));
        }
        if (fromStart) {
            path.append("&fromStart=true");
        }
        ConnectorService.Answer answer = connector.post(path.toString());
        JsonNode body = json(answer, "POST /api/backfills");
        PrintWriter out = spec.commandLine().getOut();
        if (answer.status() == 409 && !body.hasNonNull("running")) { // running on another instance of a cluster
            throw new CommandFailure(body.path("error").asString());
        }
        if (answer.status() == 409) { // one of these tenants is being backfilled: watch that one instead
            out.println(body.path("error").asString() + "; watching it.");
            return JsonMapper.builder().build().createObjectNode().put("id", body.path("running").asString());
        }
        if (answer.status() == 400 || answer.status() == 404) {
            throw new CommandFailure(body.path("error").asString("the connector refused: HTTP " + answer.status()));
        }
        if (answer.status() != 202) {
            throw new CommandFailure("POST /api/backfills answered HTTP " + answer.status());
        }
        List<String> tenants = new ArrayList<>();
        body.path("tenants").forEach(t -> tenants.add(t.asString()));
        List<String> types = new ArrayList<>();
        body.path("types").forEach(t -> types.add(t.asString()));
        out.println("Backfill " + body.path("id").asString() + " started in the connector: "
                + (types.size() == BackfillTypes.names().size() ? "every type" : String.join(", ", types))
                + (since == null ? "" : " changed since " + since) + " of "
                + (tenants.size() == 1 ? "tenant " + tenants.get(0) : tenants.size() + " tenants " + tenants)
                + ". Ctrl-C stops watching; the backfill goes on (mlc status shows it).");
        return body;
    }

    private int watch(ConnectorService connector, String id, PrintWriter out) throws InterruptedException {
        boolean terminal = System.console() != null;
        AtomicBoolean ended = new AtomicBoolean();
        Thread onCtrlC = new Thread(() -> {
            if (!ended.get()) {
                out.println();
                out.println("Stopped watching; backfill " + id + " goes on in the connector (mlc status shows it).");
                out.flush();
            }
        });
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            Instant lastPlain = Instant.EPOCH;
            Instant lastMove = Instant.now();
            long lastPushed = -1;
            while (true) {
                ConnectorService.Answer answer = connector.get("/api/backfills/" + encode(id));
                if (answer.status() == 404) {
                    throw new CommandFailure("the connector no longer knows backfill " + id
                            + " (restarted, or another instance behind --url); mlc status shows what runs");
                }
                BackfillLine.Progress progress = BackfillLine.Progress.of(answer.okJson("GET /api/backfills/" + id),
                        Instant.now());
                Instant now = Instant.now();
                if (progress.pushed() != lastPushed || progress.fetching()) {
                    lastPushed = progress.pushed();
                    lastMove = now;
                }
                boolean stalled = "PUSHING".equals(progress.state()) && !now.isBefore(lastMove.plus(pushWait));
                if (progress.ended() || stalled) {
                    ended.set(true);
                    if (terminal) {
                        out.print("\r\033[2K"); // clear the bar
                    }
                    out.println(BackfillLine.summary(progress));
                    out.flush();
                    return "DONE".equals(progress.state()) ? 0 : stalled ? 3 : 1;
                }
                if (terminal) {
                    out.print("\r\033[2K" + BackfillLine.line(progress));
                    out.flush();
                } else if (!now.isBefore(lastPlain.plus(PLAIN_LINE_EVERY))) {
                    lastPlain = now;
                    out.println(BackfillLine.line(progress));
                }
                Thread.sleep(POLL.toMillis());
            }
        } finally {
            ended.set(true);
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook runs
            }
        }
    }

    private static JsonNode json(ConnectorService.Answer answer, String request) {
        try {
            return answer.body() == null || answer.body().isBlank() ? JsonMapper.builder().build().createObjectNode()
                    : JsonMapper.builder().build().readTree(answer.body());
        } catch (JacksonException e) {
            throw new CommandFailure(request + " answered HTTP " + answer.status() + " that is not JSON");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
