package io.mlconnector.alerts;

import io.mlconnector.alerts.AlertRules.Condition;
import io.mlconnector.alerts.AlertRules.Kind;
import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.pipeline.SchemaGuard;
import io.mlconnector.pipeline.WaitingChanges;
import io.mlconnector.pipeline.reconcile.ControlTotals;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.TenantRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads the alert conditions from the store, so that every instance sees the same ones: businesses whose grant needs
 * re-authorization (one condition per grant: one reconnect fixes it), blocked tables, a paused route, dead letters,
 * quarantined batches, control totals that differ, and tenants whose oldest waiting change is older than the
 * freshness objective for no reason another alert names.
 */
public final class AlertConditions {
    /** How long quarantined rows may wait while the pusher finds out whether their table, not they, is wrong. */
    static final Duration QUARANTINE_UNDECIDED = Duration.ofMinutes(10);
    static final String CONNECT_FIX = "mlc connect freshbooks, then open the link and sign in as the business's owner";

    /** What was observed: the conditions, and the keys whose state could not be told (control totals not compared). */
    public record Observed(List<Condition> conditions, Set<String> undetermined) {}

    private final TenantRepository tenants;
    private final SchemaGuard guard;
    private final PushRoutes routes;
    private final String route;
    private final InboxQueue inbox;
    private final Outbox outbox;
    private final ControlTotals controlTotals;
    private final WaitingChanges waiting;
    private final Duration freshnessObjective;
    private final Clock clock;

    public AlertConditions(TenantRepository tenants, SchemaGuard guard, PushRoutes routes, String route, InboxQueue inbox,
                           Outbox outbox, ControlTotals controlTotals, WaitingChanges waiting, Duration freshnessObjective,
                           Clock clock) {
        this.tenants = tenants;
        this.guard = guard;
        this.routes = routes;
        this.route = route;
        this.inbox = inbox;
        this.outbox = outbox;
        this.controlTotals = controlTotals;
        this.waiting = waiting;
        this.freshnessObjective = freshnessObjective;
        this.clock = clock;
    }

    public Observed read() {
        List<Condition> conditions = new ArrayList<>();
        Set<String> undetermined = new HashSet<>();
        List<Tenant> all = tenants.list();
        Map<String, String> names = all.stream().collect(Collectors.toMap(Tenant::tenantId, Tenant::businessName, (a, b) -> a));

        Map<String, List<Tenant>> byGrant = new TreeMap<>();
        all.stream().filter(t -> t.status() == Tenant.TenantStatus.NEEDS_REAUTHORIZATION)
                .forEach(t -> byGrant.computeIfAbsent(t.grantId() == null ? t.tenantId() : t.grantId(), g -> new ArrayList<>()).add(t));
        byGrant.forEach((grant, affected) -> conditions.add(new Condition(Kind.REAUTHORIZATION, grant,
                "FreshBooks business" + (affected.size() == 1 ? " " : "es ")
                        + affected.stream().map(t -> t.businessName() + " (" + t.tenantId() + ")").collect(Collectors.joining(", "))
                        + (affected.size() == 1 ? " needs" : " need") + " re-authorization; its changes wait: "
                        + Optional.ofNullable(affected.get(0).statusReason()).orElse("the grant was refused"),
                CONNECT_FIX)));

        for (SchemaGuard.Verdict table : guard.verdicts()) {
            if (table.blocked()) {
                conditions.add(new Condition(Kind.TABLE_BLOCKED, table.table(), "Power BI table " + table.table()
                        + " is blocked, its rows kept: " + table.reason(), table.fix()));
            }
        }

        Optional<PushRoutes.Route> current = routes.find(route);
        boolean paused = current.isPresent() && current.get().paused();
        if (paused) {
            conditions.add(new Condition(Kind.ROUTE_PAUSED, route, "The push stream to Power BI (route " + route
                    + ") is paused: " + current.get().pausedReason(), current.get().pausedFix()));
        }

        long deadLetters = inbox.deadLetterCount();
        if (deadLetters > 0) {
            conditions.add(new Condition(Kind.DEAD_LETTERS, "inbox", deadLetters + " FreshBooks record"
                    + (deadLetters == 1 ? " was" : "s were") + " dead-lettered after repeated failed fetches (mlc status lists them)",
                    "fix the cause, then mlc replay --dead-letters"));
        }
        long quarantined = outbox.settledQuarantineCount(route, clock.instant().minus(QUARANTINE_UNDECIDED));
        if (quarantined > 0) {
            conditions.add(new Condition(Kind.QUARANTINE, route, quarantined + " row"
                    + (quarantined == 1 ? " was" : "s were") + " refused by Power BI and quarantined (mlc status lists them)",
                    "fix the cause, then mlc replay BATCH_ID"));
        }

        for (ControlTotals.Result result : controlTotals.latest()) {
            String subject = result.table() + "/" + result.tenant();
            if (result.verdict() == Verdict.DIFFERS) {
                conditions.add(new Condition(Kind.CONTROL_TOTALS, subject, "Control totals of " + result.table() + " for "
                        + names.getOrDefault(result.tenant(), result.tenant()) + " differ between the ledger and Power BI"
                        + (result.detail() == null ? "" : ": " + result.detail()),
                        "mlc dataset compact " + result.table() + " (the connector rebuilds a table that keeps differing)"));
            } else if (result.verdict() == Verdict.CATCHING_UP || result.verdict() == Verdict.UNAVAILABLE) {
                undetermined.add(AlertRules.key(Kind.CONTROL_TOTALS, subject));
            }
        }

        Instant now = clock.instant();
        waiting.oldestUnexplainedByTenant(paused).forEach((tenant, since) -> {
            Duration age = Duration.between(since, now);
            if (age.compareTo(freshnessObjective) > 0) {
                conditions.add(new Condition(Kind.FRESHNESS, tenant, "Freshness objective broken for "
                        + names.getOrDefault(tenant, tenant) + ": its oldest change not yet in Power BI arrived "
                        + age.toSeconds() + " s ago (objective " + freshnessObjective.toSeconds() + " s)",
                        "mlc status shows what waits; look for Power BI throttling or FreshBooks errors in the log"));
            }
        });
        return new Observed(conditions, undetermined);
    }
}
