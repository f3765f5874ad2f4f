package io.mlconnector.pipeline;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerBuilder;
import com.github.kagkarlsson.scheduler.jdbc.DefaultJdbcCustomization;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import io.mlconnector.freshbooks.InvalidGrantException;
import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.store.Tenant;
import io.mlconnector.store.Tenant.TenantStatus;
import io.mlconnector.store.TenantRepository;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The incremental sweep that catches what webhooks missed (DESIGN §1), run once per cluster by db-scheduler:
 * every {@code interval} one recurring execution (whichever instance claims it) queues a sweep per active
 * tenant, and those per-tenant executions spread over the instances. A tenant's sweep lists each
 * {@link ObjectType} from {@code updated_min} = the Eastern date of (last watermark − {@code overlap}),
 * because FreshBooks filters by Eastern calendar day (reference §5), then stores the time the sweep
 * <em>started</em> as the new watermark, so a change made during the sweep is caught by the next one.
 * Types without an updated filter are listed whole every time; the first sweep of a type is a full one.
 * Deleted records come from {@link Sweeper}'s {@code vis_state=1} listing. Applying is idempotent (the
 * ledger), so overlapping windows and repeated sweeps push nothing twice.
 */
public final class SweepScheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SweepScheduler.class);
    /** FreshBooks' accounting dates and {@code updated} filter are in US Eastern time (reference §7). */
    static final ZoneId FRESHBOOKS_ZONE = ZoneId.of("America/New_York");
    static final String RECURRING_TASK = "freshbooks-sweep";
    static final String TENANT_TASK = "freshbooks-tenant-sweep";
    /**
     * db-scheduler 16 frees an execution claimed by a dead instance once its heartbeat is older than
     * heartbeat × missed limit, checked every 2 × heartbeat, then due executions are found by the next poll
     * (≤ 10 s): 5 s × 4 → taken over ≤ 20 + 10 + 10 s after the last heartbeat, instead of 30 min with the
     * defaults (5 min × 6). The cost is one heartbeat UPDATE per running execution every 5 s. A live instance
     * stalled for 20 s may see its sweep started again elsewhere; sweeps are idempotent (the ledger), so
     * that is only work done twice.
     */
    static final Duration HEARTBEAT = Duration.ofSeconds(5);
    static final int MISSED_HEARTBEATS_LIMIT = 4; // db-scheduler's minimum

    private final Sweeper sweeper;
    private final TenantRepository tenants;
    private final Clock clock;
    private final Duration overlap;
    private final Jdbi jdbi;
    private final SweepRuns runs;
    private final Scheduler scheduler;
    private final Map<String, ReentrantLock> running = new ConcurrentHashMap<>();

    /** What one tenant's sweep did. */
    public record Run(String tenantId, Instant startedAt, Map<ObjectType, Long> recordsRead, List<ObjectType> failed) {
        public long records() {
            return recordsRead.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * @param dataSource the store (with db-scheduler's {@code scheduled_tasks} and {@code sweep_watermark})
     * @param clock      the watermarks' clock; db-scheduler keeps its own wall clock for polling and heartbeats
     * @param interval   {@code pipeline.sweep-interval}
     * @param overlap    {@code pipeline.sweep-overlap}: how far before the last watermark a sweep starts
     */
    public SweepScheduler(DataSource dataSource, Sweeper sweeper, TenantRepository tenants, Clock clock,
                          Duration interval, Duration overlap) {
        this(dataSource, sweeper, tenants, clock, interval, overlap, List.of());
    }

    /**
     * @param alsoRun more recurring tasks for this scheduler, such as {@link RetentionTask#task()}. They belong
     *                here, not in a second db-scheduler: a scheduler that meets an execution of a task it does
     *                not know marks it unresolved and, after 14 days, deletes it.
     */
    public SweepScheduler(DataSource dataSource, Sweeper sweeper, TenantRepository tenants, Clock clock,
                          Duration interval, Duration overlap, List<RecurringTask<?>> alsoRun) {
        this.sweeper = sweeper;
        this.tenants = tenants;
        this.clock = clock;
        this.overlap = overlap;
        this.jdbi = Jdbi.create(dataSource);
        this.runs = new SweepRuns(jdbi);
        OneTimeTask<Void> tenantSweep = Tasks.oneTime(TENANT_TASK)
                .execute((instance, context) -> sweepQuietly(instance.getId()));
        RecurringTask<Void> recurring = Tasks.recurring(RECURRING_TASK, FixedDelay.of(interval))
                .execute((instance, context) -> {
                    Instant due = context.getExecution().getExecutionTime(); // on db-scheduler's clock, so due now
                    for (Tenant tenant : tenants.list()) {
                        if (tenant.status() == TenantStatus.ACTIVE) {
                            // One pending sweep per tenant: a tenant still sweeping is not queued twice.
                            context.getSchedulerClient().scheduleIfNotExists(tenantSweep.instance(tenant.tenantId()), due);
                        }
                    }
                });
        Duration polling = interval.dividedBy(2);
        polling = polling.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10)
                : polling.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : polling;
        SchedulerBuilder builder = Scheduler.create(dataSource, tenantSweep);
        if (isH2(dataSource)) {
            // db-scheduler has no H2 flavour and warns at every start; its generic SQL is what H2 needs.
            builder.jdbcCustomization(new DefaultJdbcCustomization(true));
        }
        List<RecurringTask<?>> startTasks = new ArrayList<>();
        startTasks.add(recurring);
        startTasks.addAll(alsoRun);
        this.scheduler = builder
                .startTasks(startTasks)
                .threads(2)
                .pollingInterval(polling)
                .heartbeatInterval(HEARTBEAT)
                .missedHeartbeatsLimit(MISSED_HEARTBEATS_LIMIT)
                .enableImmediateExecution()
                .alwaysPersistTimestampInUTC() // the columns are TIMESTAMP WITH TIME ZONE; UTC either way
                .build();
    }

    private static boolean isH2(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return "H2".equals(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw new IllegalStateException("store unreachable: " + e.getMessage(), e);
        }
    }

    public SweepScheduler start() {
        scheduler.start();
        return this;
    }

    /** Sweeps every type of one tenant now, in the caller's thread (for tests and the CLI). */
    public Run runNow(String tenantId) {
        return sweepTenant(tenantId);
    }

    /** Every tenant's last completed sweep (for the status page). */
    public List<SweepRuns.LastRun> lastRuns() {
        return runs.lastRuns();
    }

    /** Stops claiming sweeps; a sweep in progress finishes first (db-scheduler waits for it). */
    @Override
    public void close() {
        scheduler.stop();
    }

    private void sweepQuietly(String tenantId) {
        try {
            sweepTenant(tenantId);
        } catch (RuntimeException e) { // a missing tenant, a broken store: the next interval tries again
            log.warn("sweep of tenant {} failed: {}", tenantId, e.toString());
        }
    }

    private Run sweepTenant(String tenantId) {
        Tenant tenant = tenants.find(tenantId).orElseThrow(() -> new IllegalArgumentException("no tenant " + tenantId));
        ReentrantLock lock = running.computeIfAbsent(tenantId, id -> new ReentrantLock());
        lock.lock(); // runNow and a scheduled sweep of the same tenant take turns in this instance
        try {
            Map<ObjectType, Long> read = new EnumMap<>(ObjectType.class);
            List<ObjectType> failed = new ArrayList<>();
            Instant started = clock.instant();
            for (ObjectType type : ObjectType.values()) {
                LocalDate updatedMin = type.updatedFilter() ? watermark(tenantId, type).map(w -> updatedMin(w, overlap)).orElse(null) : null;
                try {
                    read.put(type, sweeper.sweep(tenantId, tenant.businessUuid(), type, updatedMin, progress -> { }));
                    saveWatermark(tenantId, type, started);
                } catch (InvalidGrantException e) {
                    log.warn("sweep of tenant {} stopped: {}", tenantId, e.getMessage());
                    failed.add(type);
                    break; // the tenant needs reauthorization; every other type would fail the same way
                } catch (RuntimeException e) { // 429, 5xx, a record that does not map: keep the watermark, retry next time
                    log.warn("sweep of tenant {} {} failed: {}", tenantId, type, e.toString());
                    failed.add(type);
                }
            }
            Run run = new Run(tenantId, started, read, failed);
            runs.record(run, clock.instant());
            log.info("swept tenant {}: {} records read{}", tenantId, run.records(), failed.isEmpty() ? "" : ", failed " + failed);
            return run;
        } finally {
            lock.unlock();
        }
    }

    /** The Eastern calendar day of (watermark − overlap): FreshBooks' {@code updated_min} is inclusive, by day. */
    static LocalDate updatedMin(Instant watermark, Duration overlap) {
        return watermark.minus(overlap).atZone(FRESHBOOKS_ZONE).toLocalDate();
    }

    Optional<Instant> watermark(String tenantId, ObjectType type) {
        return jdbi.withHandle(h -> readWatermark(h, tenantId, type));
    }

    private static Optional<Instant> readWatermark(Handle h, String tenantId, ObjectType type) {
        return h.createQuery("SELECT last_started FROM sweep_watermark WHERE tenant_id = :tenant AND object_type = :type")
                .bind("tenant", tenantId).bind("type", type.eventPrefix())
                .mapTo(OffsetDateTime.class).findOne().map(OffsetDateTime::toInstant);
    }

    /**
     * Moves the watermark forward only: a sweep that started earlier but finished later must not pull it
     * back. Not forced to disk: a lost watermark only widens the next sweep.
     */
    private void saveWatermark(String tenantId, ObjectType type, Instant started) {
        OffsetDateTime at = started.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
        jdbi.useTransaction(h -> {
            Optional<Instant> current = readWatermark(h, tenantId, type);
            if (current.isEmpty()) {
                h.createUpdate("INSERT INTO sweep_watermark (tenant_id, object_type, last_started) VALUES (:tenant, :type, :at)")
                        .bind("tenant", tenantId).bind("type", type.eventPrefix()).bind("at", at).execute();
            } else if (current.get().isBefore(at.toInstant())) {
                h.createUpdate("UPDATE sweep_watermark SET last_started = :at WHERE tenant_id = :tenant AND object_type = :type")
                        .bind("tenant", tenantId).bind("type", type.eventPrefix()).bind("at", at).execute();
            }
        });
    }
}
