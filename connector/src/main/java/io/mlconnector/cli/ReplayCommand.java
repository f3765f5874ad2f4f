package io.mlconnector.cli;

import io.mlconnector.app.Operations;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends a quarantined batch again (after its cause is fixed; {@code mlc status} lists them), or re-fetches current
 * FreshBooks records: one record through the inbox, the dead-lettered ones, or a tenant's records through a sweep.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {
                "mlc replay BATCH_ID: queue a quarantined batch for another push (fix its cause first; `mlc status` "
                        + "lists them). Exit 1 when the batch is not quarantined.",
                "mlc replay --tenant T --record TYPE:ID: re-fetch one record from FreshBooks, as a webhook would "
                        + "(also when it was dead-lettered).",
                "mlc replay --dead-letters [--tenant T]: re-fetch the records whose fetch failed too often (`mlc status` "
                        + "lists them; fix the cause first), of every tenant or of one.",
                "mlc replay [--table T] [--from TIME] [--to TIME] [--error CLASS]: queue again every quarantined batch "
                        + "of that table, formed in that time range, whose error is of that class (http-400, "
                        + "unreachable, …) or contains those words; the answer lists the classes found.",
                "mlc replay --dead-letters [--tenant T] [--from TIME] [--to TIME] [--error CLASS]: the same for "
                        + "dead letters (time: when dead-lettered).",
                "mlc replay --tenant T [--type TYPE] [--since YYYY-MM-DD]: re-fetch the tenant's records (of that type, "
                        + "changed since that Eastern date; default every type, all records) in the background.",
                "A re-fetched record that Power BI already holds at that version pushes nothing (the ledger), so "
                        + "replaying is safe to repeat. Exit 1 for an unknown tenant, 2 for a bad option."})
public final class ReplayCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "BATCH_ID",
            description = "The quarantined batch's id, as `mlc status` prints it.")
    String batchId;

    @Option(names = "--tenant", paramLabel = "TENANT",
            description = "The tenant (FreshBooks account id, as `mlc status` lists it) whose records to re-fetch; "
                    + "`all` (not with --record): every active tenant.")
    String tenant;

    @Option(names = "--record", paramLabel = "TYPE:ID",
            description = "One record to re-fetch, e.g. invoice:1234; TYPE is one of: ${COMPLETION-CANDIDATES}.",
            completionCandidates = RecordTypes.class)
    String record;

    @Option(names = "--dead-letters",
            description = "Re-fetch the dead-lettered records (of --tenant, else of every tenant), attempts counted from zero.")
    boolean deadLetters;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "Re-fetch only this type's records; one of: ${COMPLETION-CANDIDATES}.",
            completionCandidates = ListingTypes.class)
    String type;

    @Option(names = "--since", paramLabel = "YYYY-MM-DD",
            description = "Re-fetch only records changed since this date (US Eastern, as FreshBooks filters); "
                    + "types FreshBooks cannot filter by date are re-fetched whole.")
    LocalDate since;

    @Option(names = "--table", paramLabel = "TABLE",
            description = "Quarantined batches of this Power BI table only (e.g. invoices).")
    String table;

    @Option(names = "--from", paramLabel = "TIME", converter = Converters.PointInTime.class,
            description = "Quarantined batches formed (dead letters: dead-lettered) at or after this time: "
                    + "2026-01-02T10:00:00Z, or a date (its start, UTC).")
    java.time.Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = Converters.PointInTime.class,
            description = "... before this time (same forms as --from).")
    java.time.Instant to;

    @Option(names = "--error", paramLabel = "CLASS",
            description = "Only those whose error is of this class (http-NNN, unreachable, an exception's name, other) "
                    + "or contains these words, e.g. 503 or InvalidValue.")
    String error;

    @Mixin
    ServiceOptions service;

    @Spec
    CommandSpec spec;

    static final class RecordTypes extends ArrayList<String> {
        RecordTypes() {
            super(Operations.recordTypes());
        }
    }

    static final class ListingTypes extends ArrayList<String> {
        ListingTypes() {
            super(Operations.listingTypes());
        }
    }

    @Override
    public Integer call() {
        boolean selecting = table != null || from != null || to != null || error != null;
        if (deadLetters) {
            if (batchId != null || record != null || type != null || since != null || table != null) {
                throw usage("--dead-letters re-queues dead-lettered records (of --tenant, or all; --from, --to and "
                        + "--error narrow them); BATCH_ID, --record, --type, --since and --table do not go with it");
            }
            return selecting ? replaySelected(true) : replayDeadLetters();
        }
        if (selecting) {
            if (batchId != null || tenant != null || record != null || type != null || since != null) {
                throw usage("--table, --from, --to and --error select quarantined batches (or, with --dead-letters, dead "
                        + "letters); BATCH_ID, --tenant, --record, --type and --since do not go with them");
            }
            return replaySelected(false);
        }
        if (batchId != null) {
            if (tenant != null || record != null || type != null || since != null) {
                throw usage("BATCH_ID replays a quarantined batch; --tenant, --record, --type and --since re-fetch "
                        + "records: give one or the other");
            }
            return replayBatch();
        }
        if (tenant == null) {
            throw usage("give BATCH_ID (a quarantined batch), --dead-letters [--tenant T], or --tenant with "
                    + "--record TYPE:ID or [--type] [--since]");
        }
        return record != null ? replayRecord() : replayListing();
    }

    private int replayRecord() {
        if (type != null || since != null) {
            throw usage("--record names one record; --type and --since select many: give one or the other");
        }
        int colon = record.indexOf(':');
        String recordType = colon < 0 ? record : record.substring(0, colon);
        String id = colon < 0 ? "" : record.substring(colon + 1);
        if (!Operations.recordTypes().contains(recordType) || id.isBlank()) {
            throw usage("--record: '" + record + "' is not TYPE:ID with TYPE one of "
                    + String.join(", ", Operations.recordTypes()) + " (e.g. invoice:1234)");
        }
        if ("all".equals(tenant)) {
            throw usage("--tenant all: a record belongs to one tenant; name it");
        }
        post("/api/replay/record?tenant=" + encode(tenant) + "&type=" + encode(recordType) + "&id=" + encode(id));
        spec.commandLine().getOut().println("Queued a re-fetch of " + recordType + " " + id + " of tenant " + tenant
                + " from FreshBooks (pushes only if it changed; `mlc status` shows progress).");
        return 0;
    }

    private int replaySelected(boolean ofDeadLetters) {
        StringBuilder path = new StringBuilder("/api/replay/selected?deadLetters=").append(ofDeadLetters);
        if (table != null) {
            path.append("&table=").append(encode(table));
        }
        if (tenant != null) {
            path.append("&tenant=").append(encode(tenant));
        }
        if (from != null) {
            path.append("&from=").append(from);
        }
        if (to != null) {
            path.append("&to=").append(to);
        }
        if (error != null) {
            path.append("&error=").append(encode(error));
        }
        JsonNode answer = post(path.toString());
        long replayed = answer.path("replayed").asLong();
        List<String> classes = new ArrayList<>();
        answer.path("classes").properties().forEach(e -> classes.add(e.getKey() + " " + e.getValue().asLong()));
        String what = ofDeadLetters ? "dead-lettered record" : "quarantined batch";
        String found = classes.isEmpty() ? "" : " (error classes of those in range: " + String.join(", ", classes) + ")";
        spec.commandLine().getOut().println(replayed == 0 ? "No " + what + " matches; nothing replayed" + found + "."
                : (ofDeadLetters ? "Re-queued " : "Queued again ") + replayed + " " + (replayed == 1 ? what : ofDeadLetters ? "dead-lettered records" : "quarantined batches")
                + found + "; `mlc status` shows progress.");
        return 0;
    }

    private int replayDeadLetters() {
        String path = "/api/replay/dead-letters" + (tenant == null ? "" : "?tenant=" + encode(tenant));
        long requeued = post(path).path("requeued").asLong();
        String of = tenant == null || "all".equals(tenant) ? "" : " of tenant " + tenant;
        spec.commandLine().getOut().println(requeued == 0 ? "No dead-lettered records" + of + "; nothing re-queued."
                : "Re-queued " + requeued + " dead-lettered record" + (requeued == 1 ? "" : "s") + of
                + ": each is fetched from FreshBooks again, attempts counted from zero (`mlc status` shows progress).");
        return 0;
    }

    private int replayListing() {
        if (type != null && !Operations.listingTypes().contains(type)) {
            throw usage("--type: no record type '" + type + "'; types: " + String.join(", ", Operations.listingTypes()));
        }
        StringBuilder path = new StringBuilder("/api/replay/listing?tenant=").append(encode(tenant));
        if (type != null) {
            path.append("&type=").append(encode(type));
        }
        if (since != null) {
            path.append("&since=").append(since);
        }
        JsonNode started = post(path.toString());
        List<String> tenants = new ArrayList<>();
        started.path("tenants").forEach(t -> tenants.add(t.asString()));
        spec.commandLine().getOut().println("Started a re-fetch of " + (type == null ? "every type's" : type)
                + " records" + (since == null ? "" : " changed since " + since) + " of "
                + (tenants.size() == 1 ? "tenant " + tenants.get(0) : tenants.size() + " tenants " + tenants)
                + " from FreshBooks, in the background (pushes only what changed; `mlc status` shows progress).");
        return 0;
    }

    private JsonNode post(String path) {
        ConnectorService.Answer answer = service.service().post(path);
        JsonNode body;
        try {
            body = answer.body() == null || answer.body().isBlank() ? JsonMapper.builder().build().createObjectNode()
                    : JsonMapper.builder().build().readTree(answer.body());
        } catch (JacksonException e) {
            throw new CommandFailure("POST " + path + " answered HTTP " + answer.status() + " that is not JSON");
        }
        if (answer.status() == 400 || answer.status() == 404) {
            throw new CommandFailure(body.path("error").asString("the connector refused: HTTP " + answer.status()));
        }
        if (answer.status() != 200 && answer.status() != 202) {
            throw new CommandFailure("POST " + path + " answered HTTP " + answer.status());
        }
        return body;
    }

    private int replayBatch() {
        String path = "/api/batches/" + encode(batchId) + "/replay";
        ConnectorService.Answer answer = service.service().post(path);
        if (answer.status() == 200) {
            spec.commandLine().getOut().println("Batch " + batchId + " is replayed: queued again, or, when its record "
                    + "changed since, cancelled with its reversal so the record's current rows go (`mlc status` shows progress).");
            return 0;
        }
        if (answer.status() == 404) {
            spec.commandLine().getErr().println("Batch " + batchId
                    + " is not quarantined (unknown id, already queued or already sent); nothing replayed.");
            return 1;
        }
        throw new CommandFailure("POST " + path + " answered HTTP " + answer.status());
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
