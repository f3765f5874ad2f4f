package io.mlconnector.app;

import io.mlconnector.pipeline.InboxQueue;
import io.mlconnector.pipeline.Outbox;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What waits, split by why: the events of {@code inboxPending} and the rows of {@code outboxUnsent}, each part with
 * its own count and oldest, so the parts add up to the totals and "oldest waiting" always belongs to a count that is
 * not zero. A part that does not move by itself carries what clears it.
 *
 * @param events parts of the pending inbox events, in {@link #EVENT_ORDER}
 * @param rows   parts of the unsent outbox rows, in {@link #ROW_ORDER}
 */
public record WaitingWork(List<Part> events, List<Part> rows) {

    /** @param clearedBy what a person does (a command), or what happens by itself; null for plain queued work */
    public record Part(String why, long count, Instant oldest, String clearedBy) {}

    static final List<String> EVENT_ORDER = List.of("queued", "retrying", "tenant_needs_reauthorization", "dead_lettered");
    static final List<String> ROW_ORDER = List.of("queued", "retrying", "resolving", "table_blocked", "route_paused",
            "quarantined");

    public WaitingWork {
        events = List.copyOf(events);
        rows = List.copyOf(rows);
    }

    /**
     * @param blockedTables  tables the schema guard blocks (their rows wait for it)
     * @param routePausedFix the paused route's fix, or null when the route is not paused (every row waits for it)
     */
    public static WaitingWork of(List<InboxQueue.WaitingEvents> events, List<Outbox.WaitingRows> rows,
                                 Set<String> blockedTables, String routePausedFix) {
        Map<String, Part> eventParts = new LinkedHashMap<>();
        for (InboxQueue.WaitingEvents e : events) {
            add(eventParts, e.why(), e.count(), e.oldest(), eventClearedBy(e.why()));
        }
        Map<String, Part> rowParts = new LinkedHashMap<>();
        for (Outbox.WaitingRows r : rows) {
            String why = rowWhy(r, blockedTables, routePausedFix != null);
            add(rowParts, why, r.count(), r.oldest(), rowClearedBy(why, routePausedFix));
        }
        return new WaitingWork(ordered(eventParts, EVENT_ORDER), ordered(rowParts, ROW_ORDER));
    }

    /** Quarantine is a batch's own state; else a paused route holds every row, a blocked table its own. */
    static String rowWhy(Outbox.WaitingRows r, Set<String> blockedTables, boolean routePaused) {
        if ("quarantined".equals(r.state())) {
            return "quarantined";
        }
        if (routePaused) {
            return "route_paused";
        }
        if (blockedTables.contains(r.table())) {
            return "table_blocked";
        }
        if ("posting".equals(r.state())) {
            return "resolving";
        }
        return r.backingOff() ? "retrying" : "queued";
    }

    private static String eventClearedBy(String why) {
        return switch (why) {
            case "retrying" -> "retried by itself after a failed fetch (mlc status lists a record under Dead letters"
                    + " if it keeps failing)";
            case "tenant_needs_reauthorization" -> "reconnect the business: mlc connect freshbooks";
            case "dead_lettered" -> "after fixing the cause shown under Dead letters: mlc replay --dead-letters";
            default -> null;
        };
    }

    private static String rowClearedBy(String why, String routePausedFix) {
        return switch (why) {
            case "retrying" -> "sent by itself when the batch's wait is over";
            case "resolving" -> "clears by itself: the connector checks whether Power BI applied the POST";
            case "table_blocked" -> "see Blocked tables: mlc dataset sync, then the connector probes the table again";
            case "route_paused" -> routePausedFix;
            case "quarantined" -> "after fixing the cause shown under Quarantined batches: mlc replay <batch id>";
            default -> null;
        };
    }

    private static void add(Map<String, Part> parts, String why, long count, Instant oldest, String clearedBy) {
        parts.merge(why, new Part(why, count, oldest, clearedBy), (a, b) -> new Part(why, a.count() + b.count(),
                a.oldest() == null || b.oldest() != null && b.oldest().isBefore(a.oldest()) ? b.oldest() : a.oldest(),
                clearedBy));
    }

    private static List<Part> ordered(Map<String, Part> parts, List<String> order) {
        List<Part> list = new ArrayList<>();
        order.forEach(why -> {
            if (parts.containsKey(why)) {
                list.add(parts.remove(why));
            }
        });
        list.addAll(parts.values());
        return list;
    }
}
