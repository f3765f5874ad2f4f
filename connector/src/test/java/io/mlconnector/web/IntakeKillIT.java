package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mlconnector.demo.DemoWorld;
import io.mlconnector.freshbooks.WebhookSignature;
import io.mlconnector.store.Callback;
import io.mlconnector.store.Database;
import io.mlconnector.store.Tenant;
import io.mlconnector.testing.ChildConnector;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DESIGN §5, "2xx only after the event is durably stored", against a real crash: {@code mlc serve} runs in a child
 * JVM, this JVM posts validly signed deliveries from many threads, and the child is killed with SIGKILL at a random
 * moment under load, then restarted on the same H2 file. Every delivery that got a 2xx must be in the inbox.
 */
class IntakeKillIT {
    private static final Logger log = LoggerFactory.getLogger(IntakeKillIT.class);
    private static final int ROUNDS = 6;
    private static final int SENDERS = 12;

    /** A delivery target: a verified callback and the verifier FreshBooks signs its deliveries with. */
    private record Target(String token, String accountId, String event, String verifier) {}

    /** One acknowledged delivery, and when its 2xx arrived ({@link System#nanoTime()}). */
    private record Acked(int round, String accountId, String objectId, long ackedAt) {}

    @Test
    void everyAcknowledgedWebhookSurvivesKillNine() throws Exception {
        Path dir = Path.of("target", "intake-kill-it", String.valueOf(System.currentTimeMillis())).toAbsolutePath();
        Random random = new Random(20261201L ^ System.nanoTime()); // a new kill moment each run; logged below
        try (DemoWorld world = DemoWorld.start(DemoWorld.Options.defaults(dir), Clock.systemUTC())) {
            world.freshBooks().generator().step(100); // records for the worker to fetch, map and push
            world.connectBusinesses();
            world.registerWebhooks(Duration.ofSeconds(30));
            List<Target> targets = targets(world);
            world.stopConnector();

            // Real changes meanwhile: FreshBooks' own webhooks make the worker lanes and the pusher commit
            // concurrently with the intake's group commit, as in production.
            world.freshBooks().generator().startTimer(Duration.ofMillis(100), 5);
            Set<Acked> acked = ConcurrentHashMap.newKeySet();
            Map<Integer, Long> killedAt = new LinkedHashMap<>();
            try (ChildConnector child = ChildConnector.start(world, dir, "serve", Map.of())) {
                for (int round = 1; round <= ROUNDS; round++) {
                    if (round > 1) {
                        child.restart();
                    }
                    int killAfter = 150 + random.nextInt(900);
                    long sent = load(child, targets, round, killAfter, acked);
                    killedAt.put(round, System.nanoTime());
                    log.info("round {}: killed pid {} after {} acknowledged ({} sent)", round, child.pid(), killAfter, sent);
                }
                child.restart(); // the last restart restores from the journal too
                child.stop();
                log.info("restored from the intake journal at each start: {}", restoredPerStart(child));
            }
            world.freshBooks().generator().stopTimer();

            Set<String> stored = new HashSet<>();
            try (Database store = Database.open(world.config().store())) {
                store.jdbi().useHandle(h -> h.createQuery("SELECT tenant_id, object_id FROM inbox")
                        .map((rs, ctx) -> rs.getString(1) + "/" + rs.getString(2)).forEach(stored::add));
            }
            Map<Integer, Long> lostPerRound = new LinkedHashMap<>();
            List<Acked> lost = new ArrayList<>();
            for (Acked a : acked) {
                if (!stored.contains(a.accountId() + "/" + a.objectId())) {
                    lost.add(a);
                    lostPerRound.merge(a.round(), 1L, Long::sum);
                }
            }
            // When the lost ones were answered, against the kill and against the newest surviving answer: a
            // lost tail means acknowledged writes never reached the file.
            for (int round : lostPerRound.keySet()) {
                long kill = killedAt.get(round);
                LongSummaryStatistics lostMsBeforeKill = lost.stream().filter(a -> a.round() == round)
                        .mapToLong(a -> (kill - a.ackedAt()) / 1_000_000).summaryStatistics();
                long newestKeptMsBeforeKill = acked.stream().filter(a -> a.round() == round && !lost.contains(a))
                        .mapToLong(a -> (kill - a.ackedAt()) / 1_000_000).min().orElse(-1);
                log.info("round {}: {} lost, answered {}-{} ms before the kill; newest kept answered {} ms before it",
                        round, lostMsBeforeKill.getCount(), lostMsBeforeKill.getMin(), lostMsBeforeKill.getMax(),
                        newestKeptMsBeforeKill);
            }
            log.info("{} deliveries acknowledged over {} kills, {} lost; lost per round: {}", acked.size(), ROUNDS,
                    lost.size(), lostPerRound);
            assertThat(acked).as("deliveries acknowledged").hasSizeGreaterThan(ROUNDS * 200);
            assertThat(lost).as("acknowledged deliveries missing from the inbox after kill -9 (per round: %s)", lostPerRound)
                    .isEmpty();
        }
    }

    /**
     * Posts from {@link #SENDERS} threads until {@code killAfter} deliveries were acknowledged in this round, then
     * kills the child while the others are in flight. Returns how many were sent.
     */
    private static long load(ChildConnector child, List<Target> targets, int round, int killAfter, Set<Acked> acked)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ackedThisRound = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        for (int t = 0; t < SENDERS; t++) {
            int thread = t;
            senders.execute(() -> {
                for (long seq = 0; !stop.get(); seq++) {
                    Target target = targets.get((int) ((thread + seq) % targets.size()));
                    String objectId = String.valueOf(round * 10_000_000L + thread * 100_000L + seq);
                    sent.incrementAndGet();
                    if (post(http, child.baseUrl(), target, objectId)) {
                        acked.add(new Acked(round, target.accountId(), objectId, System.nanoTime()));
                        ackedThisRound.incrementAndGet();
                    }
                }
            });
        }
        try {
            await("deliveries acknowledged in round " + round).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(5)).until(() -> ackedThisRound.get() >= killAfter);
            child.kill9();
        } finally {
            stop.set(true);
            senders.shutdown();
            senders.awaitTermination(30, TimeUnit.SECONDS);
        }
        return sent.get();
    }

    /** What each start's InboxWriter put back from the journal (journalled events the store lacked). */
    private static List<Long> restoredPerStart(ChildConnector child) throws IOException {
        Pattern restored = Pattern.compile("Restored (\\d+) webhook events from the intake journal");
        List<Long> counts = new ArrayList<>();
        for (Path logFile : child.logFiles()) {
            Matcher m = restored.matcher(Files.readString(logFile));
            counts.add(m.find() ? Long.parseLong(m.group(1)) : 0L);
        }
        return counts;
    }

    /** True when the connector answered 2xx; a refused or cut connection (the kill) is not an acknowledgement. */
    private static boolean post(HttpClient http, URI base, Target target, String objectId) {
        String body = "name=" + target.event() + ".update&object_id=" + objectId + "&account_id=" + target.accountId()
                + "&business_id=1&identity_id=1&user_id=1";
        try {
            String signature = WebhookSignature.sign(WebhookSignature.parseForm(body), target.verifier());
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(base.resolve("/hooks/freshbooks/" + target.token()))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-www-form-urlencoded")
                            .header(WebhookSignature.HEADER, signature).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (WebhookSignature.MalformedFormException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every verified callback of every tenant, with the verifier the FreshBooks simulator holds for it. */
    private static List<Target> targets(DemoWorld world) {
        List<Target> targets = new ArrayList<>();
        for (Tenant tenant : world.connector().operations().tenants()) {
            for (Callback callback : world.connector().operations().webhooks(tenant.tenantId())) {
                String verifier = world.freshBooks().webhooks().verifierOf(tenant.tenantId(), callback.callbackId())
                        .orElseThrow(() -> new IllegalStateException("no verifier for callback " + callback.callbackId()));
                targets.add(new Target(callback.uriToken(), tenant.tenantId(), callback.event(), verifier));
            }
        }
        assertThat(targets).as("verified callbacks").isNotEmpty();
        return targets;
    }
}
