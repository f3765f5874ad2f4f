package io.mlconnector.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backfill's progress as one line every few seconds (records fetched, rows queued, rate, where it is) and one
 * when it ends, so a backfill started by a connect shows in the log without a line per page.
 */
public final class BackfillProgress implements Consumer<Sweeper.Progress> {
    private static final Logger log = LoggerFactory.getLogger(BackfillProgress.class);
    public static final Duration EVERY = Duration.ofSeconds(5);

    private final String tenantId;
    private final Clock clock;
    private final Duration every;
    private final Consumer<String> sink;
    private final Instant started;
    private Instant lastLine;
    private String listing;
    private long doneRecords;
    private long doneRows;
    private Sweeper.Progress current;

    public BackfillProgress(String tenantId, Clock clock, Duration every, Consumer<String> sink) {
        this.tenantId = tenantId;
        this.clock = clock;
        this.every = every;
        this.sink = sink;
        this.started = clock.instant();
        this.lastLine = started;
    }

    /** Logs at INFO every {@link #EVERY}. */
    public static BackfillProgress logged(String tenantId, Clock clock) {
        return new BackfillProgress(tenantId, clock, EVERY, log::info);
    }

    @Override
    public synchronized void accept(Sweeper.Progress p) {
        String key = p.type().eventPrefix() + (p.deletedListing() ? " (deleted)" : "");
        if (!key.equals(listing)) { // a new listing counts from zero: keep the last one's totals
            if (current != null) {
                doneRecords += current.records();
                doneRows += current.outboxRows();
            }
            listing = key;
        }
        current = p;
        Instant now = clock.instant();
        if (!now.isBefore(lastLine.plus(every))) {
            lastLine = now;
            sink.accept(String.format(Locale.ROOT, "backfill %s: %d records fetched, %d rows queued, %s records/s; now %s page %d/%d",
                    tenantId, records(), rows(), rate(now), key, p.page(), Math.max(1, p.pages())));
        }
    }

    /** The closing line; {@code failure} is null when the backfill read everything. */
    public synchronized void finished(Throwable failure) {
        Instant now = clock.instant();
        Duration took = Duration.between(started, now);
        sink.accept(String.format(Locale.ROOT, "backfill %s %s: %d records fetched, %d rows queued in %.1f s (%s records/s)%s",
                tenantId, failure == null ? "done" : "stopped", records(), rows(), took.toMillis() / 1000.0, rate(now),
                failure == null ? "; mlc status shows the rows reaching Power BI"
                        : " by " + failure.getClass().getSimpleName() + ": " + failure.getMessage()
                                + "; mlc replay --tenant " + tenantId + " reads everything again"));
    }

    public synchronized long records() {
        return doneRecords + (current == null ? 0 : current.records());
    }

    public synchronized long rows() {
        return doneRows + (current == null ? 0 : current.outboxRows());
    }

    private String rate(Instant now) {
        long millis = Math.max(1, Duration.between(started, now).toMillis());
        return String.valueOf(Math.round(records() * 1000.0 / millis));
    }
}
