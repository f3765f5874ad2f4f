package io.mlconnector.pipeline;

import io.mlconnector.cluster.LeaseHolder;
import io.mlconnector.cluster.Leases;
import io.mlconnector.freshbooks.ObjectType;
import io.mlconnector.store.Tenant;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backfills started by a person ({@code mlc backfill}) or by a connect: each reads the listings of its tenants and
 * types in the background through the {@link Sweeper}, keeps its progress for the status and the CLI (records
 * fetched, rows queued and pushed, where it is), and records after each applied page the next page in
 * {@code backfill_checkpoint}, so a backfill of the same listing started after a crash or a failure continues
 * there instead of at page 1. Pages can shift when records are created meanwhile; what a resumed listing misses
 * that way is caught by webhooks and the incremental sweep, and what it reads twice pushes nothing (the ledger).
 * The running backfills live in this instance's memory; only the checkpoints are in the store. One backfill per tenant
 * fetches at a time in the whole cluster: each holds the lease {@code backfill:<tenant>} while it reads, so a second
 * one, on any instance, is refused with where the first runs (two would write the same checkpoints).
 */
public final class Backfills {
    private static final Logger log = LoggerFactory.getLogger(Backfills.class);
    /** Finished backfills the status keeps showing. */
    static final Duration KEEP_FINISHED = Duration.ofHours(1);
    /** How often the rows pushed are counted again (a query over the outbox). */
    static final Duration PUSHED_REFRESH = Duration.ofSeconds(1);
    /**
     * A checkpoint older than this is not resumed from: a backfill asked for days later is meant to read everything
     * (what changed meanwhile on the pages it would skip is not in any checkpoint).
     */
    public static final Duration RESUME_WITHIN = Duration.ofHours(24);

    public enum State {
        /** Reading FreshBooks. */
        FETCHING,
        /** Everything read; some of its rows still wait for Power BI. */
        PUSHING,
        DONE,
        /** A listing failed; its checkpoint stays, so the same backfill started again continues there. */
        FAILED
    }

    /**
     * A backfill as the status and the CLI show it. {@code listingsDone}/{@code listingsTotal}: listings (a type's
     * active or deleted records of one tenant) finished of all; {@code page}/{@code pages}: where the current one is;
     * {@code pagesSkipped}: pages not read again because an earlier backfill had applied them.
     */
    public record Snapshot(String id, List<String> tenants, List<String> types, LocalDate since, State state,
                           Instant startedAt, Instant finishedAt, long recordsFetched, long rowsQueued, long rowsPushed,
                           int listingsDone, int listingsTotal, String tenant, String type, int page, int pages,
                           int pagesSkipped, String error) {}

    /** A listing's place: which tenant, type and records. */
    record Listing(Tenant tenant, ObjectType type, boolean deleted) {
        String name() {
            return type.eventPrefix() + (deleted ? " (deleted)" : "");
        }
    }

    private final Sweeper sweeper;
    private final Jdbi jdbi;
    private final Leases leases;
    private final Executor background;
    private final Clock clock;
    private final BiFunction<String, Clock, BackfillProgress> progressLog;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    /** @param progressLog the log line writer per tenant, e.g. {@link BackfillProgress#logged} */
    public Backfills(Sweeper sweeper, Jdbi jdbi, Leases leases, Executor background, Clock clock,
                     BiFunction<String, Clock, BackfillProgress> progressLog) {
        this.sweeper = sweeper;
        this.jdbi = jdbi;
        this.leases = leases;
        this.background = background;
        this.clock = clock;
        this.progressLog = progressLog;
    }

    /**
     * Starts a backfill of these tenants' types (changed since {@code since}, US Eastern; null: all records) in the
     * background and answers at once. {@code fromStart}: ignore checkpoints and read every page.
     *
     * @throws AlreadyRunningException when a backfill of one of these tenants is fetching
     */
    public Snapshot start(List<Tenant> tenants, List<ObjectType> types, LocalDate since, boolean fromStart) {
        return start(tenants, types, since, fromStart, p -> { });
    }

    /** As {@link #start(List, List, LocalDate, boolean)}, also telling {@code afterPage} after each applied page. */
    public Snapshot start(List<Tenant> tenants, List<ObjectType> types, LocalDate since, boolean fromStart,
                          Consumer<Sweeper.Progress> afterPage) {
        List<Listing> listings = new ArrayList<>();
        for (Tenant tenant : tenants) {
            for (ObjectType type : types) {
                listings.add(new Listing(tenant, type, false));
                if (!type.businessScoped()) {
                    listings.add(new Listing(tenant, type, true));
                }
            }
        }
        Run run;
        synchronized (runs) {
            for (Run other : runs.values()) {
                if (other.fetching() && other.tenants.stream().anyMatch(t -> tenants.stream().anyMatch(
                        n -> n.tenantId().equals(t)))) {
                    throw new AlreadyRunningException(other.id, "backfill " + other.id + " of " + other.tenants
                            + " is still running; watch it with mlc status, or wait until it ends");
                }
            }
            List<LeaseHolder> held = holdTenants(tenants);
            forgetOld();
            run = new Run("bf-" + UUID.randomUUID().toString().substring(0, 8),
                    tenants.stream().map(Tenant::tenantId).toList(), types.stream().map(ObjectType::eventPrefix).toList(),
                    since, clock.instant(), listings.size());
            runs.put(run.id, run);
            Run started = run;
            try {
                background.execute(() -> {
                    try {
                        execute(started, listings, fromStart, afterPage, held);
                    } finally {
                        held.forEach(LeaseHolder::close);
                    }
                });
            } catch (RuntimeException e) { // the connector is stopping
                runs.remove(run.id);
                held.forEach(LeaseHolder::close);
                throw e;
            }
        }
        return snapshot(run);
    }

    /** The lease {@code backfill:<tenant>} of each tenant, or none and the exception saying where one is running. */
    private List<LeaseHolder> holdTenants(List<Tenant> tenants) {
        List<LeaseHolder> held = new ArrayList<>();
        for (Tenant tenant : tenants) {
            String name = leaseName(tenant.tenantId());
            LeaseHolder holder = new LeaseHolder(leases, name);
            Optional<Leases.Lease> left = holder.current().isPresent() ? Optional.empty() : leases.find(name)
                    .filter(l -> l.owner().equals(leases.instanceId()));
            // Left by this instance before a crash (none of its runs holds it: checked above). Unlike a route's push
            // stream, which waits out such a lease in case the old process is not quite dead, a backfill takes it at
            // once: two of one tenant at worst both read FreshBooks (the ledger applies each record once) and one of
            // them fails on the other's checkpoint, to be started again.
            if (left.isPresent()) {
                holder.close();
                leases.release(left.get());
                holder = new LeaseHolder(leases, name);
            }
            if (holder.current().isEmpty()) {
                holder.close();
                held.forEach(LeaseHolder::close);
                String owner = leases.find(name).map(Leases.Lease::owner).orElse("another instance");
                throw new AlreadyRunningException(null, "a backfill of " + tenant.tenantId() + " is running on instance "
                        + owner + "; watch it with mlc status there, or wait until it ends");
            }
            held.add(holder);
        }
        return held;
    }

    static String leaseName(String tenantId) {
        return "backfill:" + tenantId;
    }

    /** One backfill, running or finished within the last hour. */
    public Optional<Snapshot> find(String id) {
        Run run;
        synchronized (runs) {
            run = runs.get(id);
        }
        return run == null ? Optional.empty() : Optional.of(snapshot(run));
    }

    /** The running backfills and those finished within the last hour, newest first (for the status). */
    public List<Snapshot> recent() {
        List<Run> all;
        synchronized (runs) {
            forgetOld();
            all = new ArrayList<>(runs.values());
        }
        all.sort(Comparator.comparing((Run r) -> r.startedAt).reversed());
        return all.stream().map(this::snapshot).toList();
    }

    private void forgetOld() {
        Instant before = clock.instant().minus(KEEP_FINISHED);
        runs.values().removeIf(r -> r.finishedAt != null && r.finishedAt.isBefore(before));
    }

    private void execute(Run run, List<Listing> listings, boolean fromStart, Consumer<Sweeper.Progress> afterPage,
                         List<LeaseHolder> held) {
        Map<String, BackfillProgress> logs = new LinkedHashMap<>();
        for (String tenant : run.tenants) {
            logs.put(tenant, progressLog.apply(tenant, clock));
        }
        String since = run.since == null ? "" : run.since.toString();
        Throwable failure = null;
        for (Listing listing : listings) {
            LocalDate updatedMin = listing.type().updatedFilter() ? run.since : null;
            String checkpointSince = updatedMin == null ? "" : since;
            int first = fromStart ? 1 : nextPage(listing, checkpointSince).orElse(1);
            run.begin(listing, first - 1);
            try {
                sweeper.sweepListing(listing.tenant().tenantId(), listing.tenant().businessUuid(), listing.type(),
                        updatedMin, listing.deleted(), first, "backfill:" + run.id, p -> {
                            if (held.stream().anyMatch(h -> h.current().isEmpty())) {
                                // Renewals failed (the store unreachable): another instance may start one meanwhile.
                                throw new IllegalStateException("backfill " + run.id + " lost its lease; start it again"
                                        + " to continue where it stopped");
                            }
                            run.page(p);
                            logs.get(p.tenantId()).accept(p);
                            if (p.page() < p.pages()) { // a last page needs no checkpoint: the listing is done
                                saveCheckpoint(listing, checkpointSince, p.page() + 1, run.id);
                            }
                            afterPage.accept(p);
                        });
                deleteCheckpoint(listing, checkpointSince);
                run.listingDone();
            } catch (RuntimeException e) {
                failure = e;
                log.warn("backfill {} stopped at {} of tenant {}: {}", run.id, listing.name(),
                        listing.tenant().tenantId(), e.toString());
                break;
            }
        }
        for (BackfillProgress line : logs.values()) {
            line.finished(failure);
        }
        run.finish(clock.instant(), failure);
    }

    private Snapshot snapshot(Run run) {
        synchronized (run) {
            Instant now = clock.instant();
            if (run.pushedAt == null || !now.isBefore(run.pushedAt.plus(PUSHED_REFRESH))) {
                if (run.rowsPushed < run.rowsQueued()) {
                    run.rowsPushed = pushedRows(run.id);
                }
                run.pushedAt = now;
            }
            State state = run.failure != null ? State.FAILED : run.finishedAt == null ? State.FETCHING
                    : run.rowsPushed < run.rowsQueued() ? State.PUSHING : State.DONE;
            return new Snapshot(run.id, run.tenants, run.types, run.since, state, run.startedAt, run.finishedAt,
                    run.recordsFetched(), run.rowsQueued(), run.rowsPushed, run.listingsDone, run.listingsTotal,
                    run.tenant, run.type, run.page, run.pages, run.pagesSkipped,
                    run.failure == null ? null : oneLine(run.failure));
        }
    }

    private static String oneLine(Throwable failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** Rows this backfill queued that are in Power BI (their batch sent). */
    private long pushedRows(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM outbox_row r JOIN outbox_batch b"
                        + " ON r.batch_id = b.batch_id WHERE r.cause LIKE :cause AND b.state = 'sent'")
                .bind("cause", "backfill:" + id + ":%").mapTo(Long.class).one());
    }

    /** The page to continue the listing at, when a backfill within {@link #RESUME_WITHIN} got past page 1. */
    Optional<Integer> nextPage(Listing listing, String since) {
        OffsetDateTime recent = clock.instant().minus(RESUME_WITHIN).atOffset(ZoneOffset.UTC);
        return jdbi.withHandle(h -> h.createQuery("SELECT next_page FROM backfill_checkpoint WHERE tenant_id = :tenant"
                        + " AND object_type = :type AND listing = :listing AND since_date = :since AND updated_at >= :recent")
                .bind("tenant", listing.tenant().tenantId()).bind("type", listing.type().eventPrefix())
                .bind("listing", listing.deleted() ? "deleted" : "active").bind("since", since).bind("recent", recent)
                .mapTo(Integer.class).findOne());
    }

    /** Not forced to disk: a lost checkpoint only means reading some pages again. */
    private void saveCheckpoint(Listing listing, String since, int nextPage, String backfillId) {
        OffsetDateTime now = clock.instant().truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
        jdbi.useTransaction(h -> {
            Map<String, Object> values = Map.of("tenant", listing.tenant().tenantId(), "type",
                    listing.type().eventPrefix(), "listing", listing.deleted() ? "deleted" : "active", "since", since,
                    "page", nextPage, "id", backfillId, "at", now);
            int updated = h.createUpdate("UPDATE backfill_checkpoint SET next_page = :page, backfill_id = :id,"
                    + " updated_at = :at WHERE tenant_id = :tenant AND object_type = :type AND listing = :listing"
                    + " AND since_date = :since").bindMap(values).execute();
            if (updated == 0) { // one backfill per tenant runs at a time (start refuses a second), so no race
                h.createUpdate("INSERT INTO backfill_checkpoint (tenant_id, object_type, listing, since_date, next_page,"
                        + " backfill_id, updated_at) VALUES (:tenant, :type, :listing, :since, :page, :id, :at)")
                        .bindMap(values).execute();
            }
        });
    }

    private void deleteCheckpoint(Listing listing, String since) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM backfill_checkpoint WHERE tenant_id = :tenant"
                        + " AND object_type = :type AND listing = :listing AND since_date = :since")
                .bind("tenant", listing.tenant().tenantId()).bind("type", listing.type().eventPrefix())
                .bind("listing", listing.deleted() ? "deleted" : "active").bind("since", since).execute());
    }

    /** A backfill of the same tenant is still fetching. */
    public static final class AlreadyRunningException extends IllegalStateException {
        private final String runningId;

        AlreadyRunningException(String runningId, String message) {
            super(message);
            this.runningId = runningId;
        }

        public String runningId() {
            return runningId;
        }
    }

    /** One backfill's mutable progress, guarded by itself. */
    private static final class Run {
        final String id;
        final List<String> tenants;
        final List<String> types;
        final LocalDate since;
        final Instant startedAt;
        final int listingsTotal;
        int listingsDone;
        long doneRecords;
        long doneRows;
        long listingRecords;
        long listingRows;
        long rowsPushed;
        Instant pushedAt;
        String tenant;
        String type;
        int page;
        int pages;
        int pagesSkipped;
        Instant finishedAt;
        Throwable failure;

        Run(String id, List<String> tenants, List<String> types, LocalDate since, Instant startedAt, int listingsTotal) {
            this.id = id;
            this.tenants = tenants;
            this.types = types;
            this.since = since;
            this.startedAt = startedAt;
            this.listingsTotal = listingsTotal;
        }

        synchronized boolean fetching() {
            return finishedAt == null;
        }

        synchronized void begin(Listing listing, int skipped) {
            doneRecords += listingRecords;
            doneRows += listingRows;
            listingRecords = 0;
            listingRows = 0;
            tenant = listing.tenant().tenantId();
            type = listing.name();
            page = skipped;
            pages = 0;
            pagesSkipped += skipped;
        }

        synchronized void page(Sweeper.Progress p) {
            listingRecords = p.records();
            listingRows = p.outboxRows();
            page = p.page();
            pages = Math.max(p.page(), p.pages());
        }

        synchronized void listingDone() {
            listingsDone++;
        }

        synchronized void finish(Instant at, Throwable failed) {
            finishedAt = at;
            failure = failed;
        }

        synchronized long recordsFetched() {
            return doneRecords + listingRecords;
        }

        synchronized long rowsQueued() {
            return doneRows + listingRows;
        }
    }
}
