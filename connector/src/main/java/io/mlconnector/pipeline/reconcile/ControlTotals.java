package io.mlconnector.pipeline.reconcile;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mlconnector.mapping.DatasetModel;
import io.mlconnector.pipeline.PushRoutes;
import io.mlconnector.pipeline.reconcile.LedgerTotals.TableState;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Backlog;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Difference;
import io.mlconnector.pipeline.reconcile.TotalsComparison.PowerBiSide;
import io.mlconnector.pipeline.reconcile.TotalsComparison.TenantVerdict;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Totals;
import io.mlconnector.pipeline.reconcile.TotalsComparison.Verdict;
import io.mlconnector.powerbi.PowerBiApiException;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.TenantRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Control totals (DESIGN §1, issue 8 item 7): per tenant and table of the route, the ledger's current rows (count
 * and the sum of each money column) against what Power BI holds, asked through Execute Queries. A table is compared
 * only when nothing of it waits to be sent; otherwise it is "catching up". A difference found in
 * {@link TotalsComparison#PERSISTS_AFTER} checks in a row rebuilds the table from the ledger. The latest check is kept
 * in {@code control_totals}, so every instance's status shows it.
 *
 * <p>Runs every {@code pipeline.control-totals-interval}, once per cluster, as a db-scheduler task handed to
 * {@code SweepScheduler} ({@link #task()}), and on demand ({@link #check()}).
 *
 * <p>Not yet: the FreshBooks side (the same totals from FreshBooks' lists, so that a record whose ledger differs
 * from FreshBooks is fetched and applied again); it needs a totals read in {@code freshbooks}.
 */
public final class ControlTotals {
    private static final Logger log = LoggerFactory.getLogger(ControlTotals.class);
    static final String TASK = "control-totals";
    /** How long the gauges reuse the last read of {@code control_totals} (another instance may have checked). */
    private static final Duration GAUGE_CACHE = Duration.ofSeconds(10);

    /** Rebuilds tables from the ledger: the pusher's {@code rebuild}. */
    @FunctionalInterface
    public interface TableRebuilder {
        CompletableFuture<?> rebuild(Set<String> tables, String reason);
    }

    /** One table and tenant in the latest check (both sides' counts; the measures that differ, ledger first). */
    public record Result(String table, String tenant, Verdict verdict, long ledgerCount, Long powerBiCount,
                         List<Difference> differences, String detail, int differingChecks, Instant checkedAt) {
        public Result {
            differences = List.copyOf(differences);
        }
    }

    private final ControlTotalsStore store;
    private final LedgerTotals ledger;
    private final PowerBiTotals powerBi;
    private final PushRoutes routes;
    private final TenantRepository tenants;
    private final TableRebuilder rebuilder;
    private final String route;
    private final String workspaceId;
    private final Map<String, List<String>> moneyColumns = new LinkedHashMap<>();
    private final Clock clock;
    private final Duration interval;
    private final Counter rebuildsRequested;
    private volatile Cached cached;

    private record Cached(Instant readAt, List<Result> results) {}

    /**
     * @param interval {@code pipeline.control-totals-interval}
     * @param meters   where the gauges {@code control_totals_*} go
     */
    public ControlTotals(Jdbi jdbi, JsonMapper json, io.mlconnector.powerbi.PushDatasetClient client, PushRoutes routes,
                         TenantRepository tenants, DatasetModel model, TableRebuilder rebuilder, String route,
                         String workspaceId, Clock clock, Duration interval, MeterRegistry meters) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the control totals interval must be positive");
        }
        this.store = new ControlTotalsStore(jdbi, json);
        this.ledger = new LedgerTotals(jdbi, json);
        this.powerBi = new PowerBiTotals(client);
        this.routes = routes;
        this.tenants = tenants;
        this.rebuilder = rebuilder;
        this.route = route;
        this.workspaceId = workspaceId;
        this.clock = clock;
        this.interval = interval;
        for (DatasetModel.Table table : model.tables()) {
            if (table.column(DatasetModel.TENANT).isPresent() && table.column(DatasetModel.SIGN).isPresent()) {
                moneyColumns.put(table.name(), table.columns().stream()
                        .filter(c -> c.dataType() == DatasetModel.DataType.DECIMAL).map(DatasetModel.Column::name).toList());
            }
        }
        Gauge.builder("control_totals_differing_tables", this, c -> c.tablesWith(Verdict.DIFFERS))
                .description("Tables whose Power BI totals differ from the ledger with nothing waiting to be sent")
                .register(meters);
        Gauge.builder("control_totals_catching_up_tables", this, c -> c.tablesWith(Verdict.CATCHING_UP))
                .description("Tables not compared in the latest check because rows of theirs wait to be sent")
                .register(meters);
        Gauge.builder("control_totals_unavailable_tables", this, c -> c.tablesWith(Verdict.UNAVAILABLE))
                .description("Tables whose Power BI totals could not be asked in the latest check").register(meters);
        Gauge.builder("control_totals_matching_tenant_tables", this, c -> c.snapshot().stream()
                        .filter(r -> r.verdict() == Verdict.MATCH).count())
                .description("Tenant and table pairs whose totals match in the latest check").register(meters);
        Gauge.builder("control_totals_last_check_age_seconds", this, ControlTotals::lastCheckAgeSeconds)
                .description("Seconds since the latest control totals check (NaN before the first)").register(meters);
        this.rebuildsRequested = Counter.builder("control_totals_rebuilds_total")
                .description("Tables rebuilt from the ledger because their Power BI totals kept differing").register(meters);
    }

    /** The recurring task, for {@code SweepScheduler}'s db-scheduler (one run per cluster). */
    public RecurringTask<Void> task() {
        return Tasks.recurring(TASK, FixedDelay.of(interval)).execute((instance, context) -> checkQuietly());
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) { // a broken store: the next run tries again
            log.warn("control totals check failed: {}", e.toString());
        }
    }

    /** The route's latest check, by table and tenant; empty before the first. */
    public List<Result> latest() {
        return store.latest(route);
    }

    /** Checks every table of the route now, keeps the result, and rebuilds tables whose difference persists. */
    public synchronized List<Result> check() {
        Instant now = clock.instant();
        Map<String, TableState> before = ledger.states(route);
        Map<String, Map<String, Totals>> ours = ledger.read(moneyColumns);
        Set<String> known = tenants.list().stream().map(Tenant::tenantId).collect(Collectors.toCollection(TreeSet::new));
        ours.values().forEach(byTenant -> known.addAll(byTenant.keySet()));
        List<String> tenantIds = List.copyOf(known);

        Optional<PushRoutes.Route> current = routes.find(route);
        String unavailable = current.isEmpty() || current.get().datasetId() == null ? "Power BI not reached yet"
                : current.get().paused() ? "the route is paused: " + current.get().pausedReason() : null;
        Map<String, PowerBiSide> theirs = new HashMap<>();
        for (Map.Entry<String, List<String>> table : moneyColumns.entrySet()) {
            TableState state = before.getOrDefault(table.getKey(), TableState.EMPTY);
            if (state.unsentRows() > 0 || state.rebuildPending()) {
                continue; // rows wait: not compared, so not asked
            }
            if (unavailable != null) {
                theirs.put(table.getKey(), PowerBiSide.unavailable(unavailable));
                continue;
            }
            try {
                theirs.put(table.getKey(), PowerBiSide.answered(powerBi.query(workspaceId, current.get().datasetId(),
                        table.getKey(), table.getValue(), tenantIds)));
            } catch (PowerBiApiException e) {
                String reason = "Execute Queries answered " + e.status() + (e.code() == null ? "" : " " + e.code())
                        + ": " + e.getMessage();
                theirs.put(table.getKey(), PowerBiSide.unavailable(reason));
                if (e.status() == 401 || e.status() == 403 || e.status() == 429) { // the same for every table now
                    unavailable = reason;
                }
            } catch (RuntimeException e) { // Entra or the network: the next check asks again
                unavailable = "Power BI could not be asked: " + e.getMessage();
                theirs.put(table.getKey(), PowerBiSide.unavailable(unavailable));
            }
        }
        Map<String, TableState> after = ledger.states(route);

        Map<String, Integer> differedBefore = new HashMap<>();
        for (Result previous : store.latest(route)) {
            differedBefore.merge(previous.table(), previous.differingChecks(), Math::max);
        }
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, List<String>> table : moneyColumns.entrySet()) {
            String name = table.getKey();
            TableState state = before.getOrDefault(name, TableState.EMPTY);
            Backlog backlog = new Backlog(state.unsentRows(), state.rebuildPending(),
                    !state.equals(after.getOrDefault(name, TableState.EMPTY)));
            List<TenantVerdict> verdicts = TotalsComparison.compare(table.getValue(), known,
                    ours.getOrDefault(name, Map.of()), theirs.getOrDefault(name, PowerBiSide.unavailable("not asked")),
                    backlog);
            int differing = TotalsComparison.differingChecks(differedBefore.getOrDefault(name, 0), verdicts);
            String rebuilding = null;
            if (TotalsComparison.persists(differing)) {
                rebuilding = rebuild(name, differing, verdicts);
            }
            for (TenantVerdict v : verdicts) {
                String detail = v.verdict() == Verdict.DIFFERS && rebuilding != null ? rebuilding : v.detail();
                results.add(new Result(name, v.tenant(), v.verdict(), v.ledgerCount(), v.powerBiCount(), v.differences(),
                        detail, differing, now));
            }
        }
        store.replace(route, results);
        cached = new Cached(clock.instant(), results);
        long differs = results.stream().filter(r -> r.verdict() == Verdict.DIFFERS).count();
        if (differs > 0) {
            log.warn("control totals: {} tenant tables differ between the ledger and Power BI", differs);
        }
        return results;
    }

    /** Asks the pusher to rebuild the table; returns the detail the check records for the table. */
    private String rebuild(String table, int differing, List<TenantVerdict> verdicts) {
        String example = verdicts.stream().filter(v -> v.verdict() == Verdict.DIFFERS).findFirst()
                .map(v -> v.tenant() + " " + v.differences().stream()
                        .map(d -> d.measure() + " " + d.ledger().toPlainString() + " vs " + d.powerBi().toPlainString())
                        .collect(Collectors.joining(", ")))
                .orElse("");
        String reason = "control totals: Power BI differs from the ledger in " + differing + " checks in a row (" + example
                + ")";
        log.warn("rebuilding table {} from the ledger: {}", table, reason);
        rebuildsRequested.increment();
        rebuilder.rebuild(Set.of(table), reason).whenComplete((queued, failure) -> {
            if (failure != null) {
                log.warn("rebuild of {} for control totals failed: {}", table, failure.toString());
            }
        });
        return "differs in " + differing + " checks in a row: rebuilding the table from the ledger";
    }

    private List<Result> snapshot() {
        Cached c = cached;
        Instant now = clock.instant();
        if (c == null || c.readAt().plus(GAUGE_CACHE).isBefore(now)) {
            c = new Cached(now, latest());
            cached = c;
        }
        return c.results();
    }

    private double tablesWith(Verdict verdict) {
        return snapshot().stream().filter(r -> r.verdict() == verdict).map(Result::table).distinct().count();
    }

    private double lastCheckAgeSeconds() {
        return snapshot().stream().map(Result::checkedAt).max(Instant::compareTo)
                .map(at -> Duration.between(at, clock.instant()).toMillis() / 1000.0).orElse(Double.NaN);
    }
}
