package io.mlconnector.cli;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code mlc webhooks list | repair}: FreshBooks' callbacks against the connector's, through the admin API. */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = "Compare the webhooks FreshBooks has with those the connector holds, per business and event type, "
                + "and repair what differs.",
        subcommands = {WebhooksCommand.ListWebhooks.class, WebhooksCommand.Repair.class})
public final class WebhooksCommand implements Runnable {
    /** Exit code of list and repair while some event type still has no working webhook. */
    static final int NOT_ALL_OK = 3;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class TenantOption {
        @Option(names = "--tenant", paramLabel = "TENANT", description = "One business (FreshBooks account id, as mlc status"
                + " lists it); default: every business.")
        String tenant;

        String query() {
            return tenant == null ? "" : "?tenant=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Per business and event type: what FreshBooks has, what the connector holds, verified or not, "
                    + "and the fix. Changes nothing.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:Every event type has a verified webhook on both sides.",
                    "1:The connector could not be asked (the message says why).",
                    "3:Some event type needs mlc webhooks repair (or a business needs re-authorization)."})
    static final class ListWebhooks implements Callable<Integer> {
        @Mixin
        ServiceOptions service;
        @Mixin
        TenantOption tenant;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(spec, answered(service.service().get("/api/webhooks" + tenant.query()), "GET /api/webhooks"));
        }
    }

    @Command(name = "repair", mixinStandardHelpOptions = true,
            description = {"Register again what FreshBooks lacks (deleted there, or never stored here after a crash), "
                    + "finish unverified handshakes (FreshBooks is asked to send callback.verify again) and delete "
                    + "callbacks at the connector's URLs it does not know. Safe to repeat.",
                    "Verification completes within seconds in the background: run mlc webhooks list to see it."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:Every event type is registered and verified.",
                    "1:The connector could not be asked (the message says why).",
                    "3:Some are still waiting for FreshBooks' callback.verify (run list again) or could not be repaired."})
    static final class Repair implements Callable<Integer> {
        @Mixin
        ServiceOptions service;
        @Mixin
        TenantOption tenant;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(spec, answered(service.service().post("/api/webhooks/repair" + tenant.query()),
                    "POST /api/webhooks/repair"));
        }
    }

    private static JsonNode answered(ConnectorService.Answer answer, String request) {
        if (answer.status() == 400 || answer.status() == 404) {
            throw new CommandFailure(errorOf(answer, request));
        }
        return answer.okJson(request);
    }

    private static String errorOf(ConnectorService.Answer answer, String request) {
        try {
            return tools.jackson.databind.json.JsonMapper.builder().build().readTree(answer.body()).path("error")
                    .asString(request + " answered HTTP " + answer.status());
        } catch (tools.jackson.core.JacksonException e) {
            return request + " answered HTTP " + answer.status();
        }
    }

    private static int print(CommandSpec spec, JsonNode body) {
        PrintWriter out = spec.commandLine().getOut();
        render(body).forEach(out::println);
        return allOk(body) ? 0 : NOT_ALL_OK;
    }

    static boolean allOk(JsonNode body) {
        for (JsonNode tenant : body.path("tenants").values()) {
            if (!tenant.path("error").isNull() && !tenant.path("error").isMissingNode()) {
                return false;
            }
            for (JsonNode entry : tenant.path("entries").values()) {
                if (!"OK".equals(entry.path("state").asString())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One block per business: a line per event type with both sides, its state and (when not ok) its fix. */
    static List<String> render(JsonNode body) {
        List<String> lines = new ArrayList<>();
        List<JsonNode> tenants = body.path("tenants").values().stream().toList();
        if (tenants.isEmpty()) {
            lines.add("No business connected (mlc connect freshbooks).");
        }
        for (JsonNode tenant : tenants) {
            lines.add(tenant.path("businessName").asString("-") + " (" + tenant.path("tenantId").asString("-") + ")");
            String error = tenant.path("error").isString() ? tenant.path("error").asString() : null;
            if (error != null) {
                lines.add("  FreshBooks could not be asked: " + error);
                continue;
            }
            lines.add(String.format(Locale.ROOT, "  %-12s %-22s %-12s %s", "event", "FreshBooks", "connector", "state"));
            for (JsonNode entry : tenant.path("entries").values()) {
                String state = entry.path("state").asString("-");
                JsonNode atFreshBooks = entry.path("verifiedAtFreshBooks");
                String theirs = atFreshBooks.isBoolean() ? "#" + entry.path("callbackId").asLong()
                        + (atFreshBooks.asBoolean() ? " verified" : " unverified") : "none";
                String ours = !entry.path("heldHere").asBoolean() ? "none"
                        : entry.path("verifiedHere").asBoolean() ? "verified" : "unverified";
                String fix = entry.path("fix").isString() ? ": " + entry.path("fix").asString() : "";
                lines.add(String.format(Locale.ROOT, "  %-12s %-22s %-12s %s%s", entry.path("event").asString("-"),
                        theirs, ours, state.toLowerCase(Locale.ROOT).replace('_', ' '), fix));
            }
        }
        return lines;
    }
}
