package io.mlconnector.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * "One instance at a time" for jobs of a cluster sharing one store (DESIGN §6): a job is owned through a row of
 * the {@code lease} table. Whoever holds it renews it before it expires; once it has expired any instance may
 * take it, and each taking raises the lease's token, a fencing token that writes made under the lease check
 * ({@link #checkHeld}), so an owner that lost its lease while stalled cannot act after its successor began.
 *
 * <p>Times are the database's ({@code CURRENT_TIMESTAMP}), not the instances' clocks, so clock skew between hosts
 * cannot make two of them believe they own the same job. A restarted process does not know its old token: it
 * waits for the lease to expire like any other instance, since its predecessor may not be quite dead.
 */
public final class Leases {
    private final Jdbi jdbi;
    private final String instanceId;
    private final Duration duration;

    public Leases(Jdbi jdbi, String instanceId, Duration duration) {
        this.jdbi = jdbi;
        this.instanceId = instanceId;
        this.duration = duration;
    }

    /** A lease as the store holds it; {@code token} grows with every change of owner. */
    public record Lease(String name, String owner, long token, Instant acquiredAt, Instant expiresAt) {}

    /** The lease was lost (expired and taken over, or never held): the write it guarded must not happen. */
    public static final class LeaseLostException extends RuntimeException {
        public LeaseLostException(String message) {
            super(message);
        }
    }

    public String instanceId() {
        return instanceId;
    }

    public Duration duration() {
        return duration;
    }

    /** Takes the lease when nobody holds it or its holder let it expire; empty when another instance holds it. */
    public Optional<Lease> tryAcquire(String name) {
        try {
            return jdbi.inTransaction(h -> {
                Instant now = databaseNow(h);
                Optional<Lease> current = find(h, name);
                if (current.isEmpty()) {
                    h.createUpdate("""
                                    INSERT INTO lease (name, owner, token, acquired_at, expires_at)
                                    VALUES (:name, :owner, 1, :now, :expires)""")
                            .bind("name", name).bind("owner", instanceId).bind("now", now)
                            .bind("expires", now.plus(duration)).execute();
                    return find(h, name);
                }
                // Conditional on expiry, so of two instances racing for it only one can win.
                int taken = h.createUpdate("""
                                UPDATE lease SET owner = :owner, token = token + 1, acquired_at = :now, expires_at = :expires
                                WHERE name = :name AND expires_at <= :now""")
                        .bind("name", name).bind("owner", instanceId).bind("now", now)
                        .bind("expires", now.plus(duration)).execute();
                return taken == 1 ? find(h, name) : Optional.<Lease>empty();
            });
        } catch (RuntimeException e) {
            if (isUniqueViolation(e)) {
                return Optional.empty(); // another instance inserted the first row at the same moment
            }
            throw e;
        }
    }

    /**
     * Extends a lease this instance holds. Empty when its token is no longer the current one (it was taken over):
     * the caller has lost the job. A lease that expired but was not taken may be renewed, as nobody acted meanwhile.
     */
    public Optional<Lease> renew(Lease lease) {
        return jdbi.inTransaction(h -> {
            Instant now = databaseNow(h);
            int renewed = h.createUpdate("UPDATE lease SET expires_at = :expires WHERE name = :name AND token = :token")
                    .bind("expires", now.plus(duration)).bind("name", lease.name()).bind("token", lease.token()).execute();
            return renewed == 1 ? find(h, lease.name()) : Optional.<Lease>empty();
        });
    }

    /** Gives the lease up (a clean stop), so another instance may take it at once instead of after it expires. */
    public void release(Lease lease) {
        jdbi.useTransaction(h -> h.createUpdate(
                        "UPDATE lease SET expires_at = :now WHERE name = :name AND token = :token")
                .bind("now", databaseNow(h)).bind("name", lease.name()).bind("token", lease.token()).execute());
    }

    /**
     * Inside a transaction that acts under the lease: locks its row (a takeover waits for this transaction) and
     * throws {@link LeaseLostException} unless {@code lease} is still current and unexpired.
     */
    public static void checkHeld(Handle h, Lease lease) {
        Optional<Lease> current = h.createQuery("SELECT * FROM lease WHERE name = :name FOR UPDATE")
                .bind("name", lease.name()).map(Leases::lease).findOne();
        if (current.isEmpty() || current.get().token() != lease.token()) {
            throw new LeaseLostException("lease " + lease.name() + " was taken over (token " + lease.token() + " is no longer current)");
        }
        if (!databaseNow(h).isBefore(current.get().expiresAt())) {
            throw new LeaseLostException("lease " + lease.name() + " expired at " + current.get().expiresAt());
        }
    }

    public Optional<Lease> find(String name) {
        return jdbi.withHandle(h -> find(h, name));
    }

    public List<Lease> all() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM lease ORDER BY name").map(Leases::lease).list());
    }

    private static Optional<Lease> find(Handle h, String name) {
        return h.createQuery("SELECT * FROM lease WHERE name = :name").bind("name", name).map(Leases::lease).findOne();
    }

    private static Lease lease(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws java.sql.SQLException {
        return new Lease(rs.getString("name"), rs.getString("owner"), rs.getLong("token"),
                rs.getObject("acquired_at", OffsetDateTime.class).toInstant(),
                rs.getObject("expires_at", OffsetDateTime.class).toInstant());
    }

    /** The database's time, the one clock every instance shares. */
    static Instant databaseNow(Handle h) {
        return h.createQuery("SELECT CURRENT_TIMESTAMP").mapTo(OffsetDateTime.class).one().toInstant();
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return true; // the SQL standard's unique violation, used by H2 and PostgreSQL alike
            }
        }
        return false;
    }
}
