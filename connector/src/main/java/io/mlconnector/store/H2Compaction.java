package io.mlconnector.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an H2 file from growing under sustained load: every second, the live pages of H2's sparsest old chunks
 * are written again, so the space those chunks hold is reused.
 * <p>
 * Why: H2 2.5.252 appends each store of changed pages as a new chunk, and a chunk's space is reused only once none
 * of its pages is live. Under the benchmark's load most chunks kept one or two live pages out of ~1,800 (a leaf
 * the next stores did not touch), so the file grew by ~15 MB a second. H2's own background writer rewrites such
 * chunks only while the file's fill rate stays above a bound its busy case seldom reaches, and H2 offers no SQL to
 * do it online; {@link MVStore#compact} is its public call for this. Only chunks older than H2's retention time
 * (45 s by default) are touched, as H2's own compaction does.
 */
final class H2Compaction implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(H2Compaction.class);
    /** Compact while less than this share of the chunks' bytes is live. */
    static final int TARGET_FILL_PERCENT = 80;
    /**
     * At most this many live bytes rewritten a run. The sparse chunks hold a few KiB each, so 1 MiB frees hundreds;
     * more only costs CPU (each page is read and written again, with H2's store lock held).
     */
    static final int REWRITE_BYTES_PER_RUN = 1024 * 1024;

    private final MVStore store;
    private final ScheduledExecutorService timer;

    private H2Compaction(MVStore store) {
        this.store = store;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "h2-compaction");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::compact, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts compacting the H2 database behind {@code dataSource} (an embedded one, opened in this process). */
    static H2Compaction start(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            SessionLocal session = (SessionLocal) connection.unwrap(JdbcConnection.class).getSession();
            return new H2Compaction(session.getDatabase().getStore().getMvStore());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the H2 store to compact it: " + e.getMessage(), e);
        }
    }

    private void compact() {
        try {
            if (store.isClosed()) {
                return;
            }
            if (store.compact(TARGET_FILL_PERCENT, REWRITE_BYTES_PER_RUN)) {
                store.tryCommit(); // writes the moved pages now, as H2's background writer would within its delay
            }
        } catch (RuntimeException e) { // closing, or H2 refused: the next run tries again; the data is untouched
            log.debug("H2 compaction skipped: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
