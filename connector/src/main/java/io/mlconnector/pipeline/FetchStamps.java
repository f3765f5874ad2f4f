package io.mlconnector.pipeline;

import io.mlconnector.store.SqlDialect;
import org.jdbi.v3.core.Jdbi;

/**
 * Hands out fetch stamps: one number per read of FreshBooks, taken just before the GET, increasing in
 * the order they are taken across threads, restarts and instances sharing one database (a database
 * sequence, {@code ledger_fetch_seq}, created by V6 without a per-session cache so PostgreSQL hands values
 * out in call order). The ledger breaks ties between reads by it ({@link ReadStamp#supersedes}).
 *
 * <p>Why before the GET and not when the answer arrives: a read sent before a change may answer after a
 * read sent because of that change's webhook; stamped on arrival it could outrank the read that certainly
 * saw the change. Stamped before sending, every read sent after a change outranks every read sent
 * before it.
 */
public final class FetchStamps {
    private final Jdbi jdbi;
    private final String nextStamp;

    public FetchStamps(Jdbi jdbi, SqlDialect dialect) {
        this.jdbi = jdbi;
        this.nextStamp = "SELECT " + dialect.nextValue("ledger_fetch_seq");
    }

    /** The next stamp; take it immediately before sending the request whose answer it stamps. */
    public long next() {
        return jdbi.withHandle(h -> h.createQuery(nextStamp).mapTo(Long.class).one());
    }
}
