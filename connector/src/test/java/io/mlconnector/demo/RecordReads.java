package io.mlconnector.demo;

import io.mlconnector.sim.freshbooks.ApiRequest;
import io.mlconnector.sim.freshbooks.DeliveryAttempt;
import io.mlconnector.sim.freshbooks.RecordChange;
import io.mlconnector.sim.freshbooks.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How often the connectors read each FreshBooks record by id, against how often it changed and how often its
 * webhooks arrived, from the FreshBooks simulator's request, change and delivery logs. A record should be read at
 * most once per burst of changes (changes closer together than {@code burstGap}) or, when FreshBooks delivers a
 * burst's webhooks further apart than that, once per burst of deliveries (closer together than the connectors'
 * quiet window): a webhook carries no version, so one that arrives after its record was read is a new change to
 * the connector. Two instances reading a record at once, or a burst of webhooks not coalesced, read more often
 * than either. Records are keyed {@code account/resource path/id}, e.g. {@code ACM123/invoices/invoices/100001}.
 */
final class RecordReads {
    /** A read of one record by id: account, resource path, id. */
    private static final Pattern RECORD_READ = Pattern.compile("^/accounting/account/([^/]+)/([a-z_]+/[a-z_]+)/(\\d+)$");
    /** An instance killed between reading a record and storing it leaves it to another: reads this close before a kill are not counted. */
    static final Duration READ_LOST_IN_KILL = Duration.ofSeconds(5);

    private final Map<String, List<Instant>> reads = new TreeMap<>();
    private final Map<String, List<Instant>> changes = new HashMap<>();
    private final Map<String, List<Instant>> deliveries = new HashMap<>();
    private final Duration burstGap;
    private final Duration quietWindow;

    /** Successful reads, changes and delivery attempts (whatever their outcome: the connector may have stored it) from {@code since} on. */
    RecordReads(List<ApiRequest> requests, List<RecordChange> changeLog, List<DeliveryAttempt> deliveryLog,
                Instant since, Duration burstGap, Duration quietWindow) {
        this.burstGap = burstGap;
        this.quietWindow = quietWindow;
        for (ApiRequest request : requests) {
            Matcher read = RECORD_READ.matcher(request.path());
            if ("GET".equals(request.method()) && request.status() == 200 && !request.at().isBefore(since) && read.matches()) {
                reads.computeIfAbsent(read.group(1) + "/" + read.group(2) + "/" + read.group(3), k -> new ArrayList<>())
                        .add(request.at());
            }
        }
        Map<String, Resource> byNoun = new HashMap<>();
        for (Resource resource : Resource.values()) {
            if (resource.eventNoun() != null) {
                byNoun.put(resource.eventNoun(), resource);
            }
        }
        for (RecordChange change : changeLog) {
            Resource resource = byNoun.get(change.event().noun());
            if (resource != null && !change.at().isBefore(since)) {
                changes.computeIfAbsent(change.event().accountId() + "/" + resource.path() + "/" + change.event().objectId(),
                        k -> new ArrayList<>()).add(change.at());
            }
        }
        for (DeliveryAttempt delivery : deliveryLog) {
            Resource resource = byNoun.get(delivery.name().substring(0, Math.max(0, delivery.name().indexOf('.'))));
            if (resource != null && !delivery.isVerification() && !delivery.at().isBefore(since)) {
                deliveries.computeIfAbsent(delivery.accountId() + "/" + resource.path() + "/" + delivery.objectId(),
                        k -> new ArrayList<>()).add(delivery.at());
            }
        }
    }

    /** Read times by record key. */
    Map<String, List<Instant>> reads() {
        return reads;
    }

    /** Bursts of changes of one record: changes closer together than {@code burstGap} are one. */
    int changeBursts(String key) {
        return bursts(changes.getOrDefault(key, List.of()), burstGap);
    }

    /** Bursts of webhook deliveries for one record: deliveries closer together than the quiet window are one. */
    int deliveryBursts(String key) {
        return bursts(deliveries.getOrDefault(key, List.of()), quietWindow);
    }

    /**
     * Records read more often than they changed in bursts and more often than their webhooks arrived in bursts, as
     * {@code key: n change bursts, m delivery bursts, ...}, leaving out those read within {@link #READ_LOST_IN_KILL}
     * before one of {@code kills}.
     */
    List<String> readTooOften(List<Instant> kills) {
        return reads.entrySet().stream()
                .filter(e -> e.getValue().size() > Math.max(changeBursts(e.getKey()), deliveryBursts(e.getKey())))
                .filter(e -> e.getValue().stream().noneMatch(at -> kills.stream().anyMatch(
                        kill -> !at.isAfter(kill) && at.isAfter(kill.minus(READ_LOST_IN_KILL)))))
                .map(e -> e.getKey() + ": " + changeBursts(e.getKey()) + " change bursts, " + deliveryBursts(e.getKey())
                        + " delivery bursts, changed at " + changes.getOrDefault(e.getKey(), List.of())
                        + ", delivered at " + deliveries.getOrDefault(e.getKey(), List.of()) + ", read at " + e.getValue())
                .toList();
    }

    private static int bursts(List<Instant> times, Duration gap) {
        int bursts = 0;
        Instant previous = null;
        for (Instant at : times.stream().sorted().toList()) {
            if (previous == null || Duration.between(previous, at).compareTo(gap) >= 0) {
                bursts++;
            }
            previous = at;
        }
        return bursts;
    }
}
