package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.mapping.FreshBooksFixtures;
import io.mlconnector.mapping.MapperRegistry;
import io.mlconnector.sim.freshbooks.FbTime;
import io.mlconnector.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Property: whatever order reads are fetched, answered and applied in, once a read fetched after the last
 * change is applied the ledger holds exactly FreshBooks' final rows, and the signed rows in the outbox
 * add up to the ledger after every single apply (nothing negative, nothing doubled).
 *
 * <p>Each seed generates a timeline for one to three records around the 2021 fall-back hour: edits
 * (same microsecond, same second, minutes apart, across the DST overlap; invoices with a {@code version},
 * sometimes without, payments with {@code updated} only), deletes ({@code vis_state} 1), hard removals
 * (404) and restores, and reads by webhooks (some webhooks lost) and sweep pages, each sent (fetch stamp),
 * answered (FreshBooks' state at that moment) and applied at separate, interleaved points. The timeline
 * runs against the real {@link RecordApplier} and {@link SignedRowLedger} on an in-memory H2.
 */
class SignedRowLedgerPropertyTest {
    private static final Instant FALL_BACK_DAY = Instant.parse("2021-11-07T04:30:00Z"); // 00:30 EDT
    private static final int SEEDS = 200;

    static Database database;
    static RecordApplier applier;
    static FetchStamps stamps;
    static LedgerView view;

    @BeforeAll
    static void open() {
        database = Database.open(new ConnectorConfig.Store("jdbc:h2:mem:ledger-property", "sa", "", 2));
        applier = new RecordApplier(database.jdbi(), MapperRegistry.standard(), new SignedRowLedger(PipelineJson.mapper()),
                PipelineJson.mapper(), Clock.fixed(Instant.parse("2026-03-02T15:00:00Z"), ZoneOffset.UTC));
        stamps = new FetchStamps(database.jdbi(), database.dialect());
        view = new LedgerView(database.jdbi());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    static LongStream seeds() {
        return LongStream.range(0, SEEDS);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void afterAFinalReadTheLedgerAndTheOutboxHoldExactlyTheLastVersion(long seed) {
        Timeline timeline = Timeline.generate(seed);
        String tenant = "prop-" + seed;
        Map<Integer, Long> stampOfRequest = new HashMap<>();
        for (Step step : timeline.steps()) {
            if (step instanceof Send send) {
                stampOfRequest.put(send.request(), stamps.next()); // taken before the GET, as the fetcher does
            } else if (step instanceof Apply apply) {
                RecordKey key = timeline.key(tenant, apply.record());
                applier.apply(key, "default", new FetchedRecord(Optional.ofNullable(apply.answer()),
                        stampOfRequest.get(apply.request())), "property", RecordApplier.InTransaction.NOTHING);
                assertThat(view.outboxNet(tenant, key)).as("seed %d: outbox net equals the ledger's rows, each once", seed)
                        .isEqualTo(ones(view.ledgerRows(key)));
            }
        }
        for (int r = 0; r < timeline.records(); r++) {
            RecordKey key = timeline.key(tenant, r);
            assertThat(view.ledgerRows(key)).as("seed %d, record %d: the ledger", seed, r)
                    .isEqualTo(view.expectedRows(key, timeline.finalState().get(r)));
        }
        Set<String> expected = new HashSet<>();
        for (int r = 0; r < timeline.records(); r++) {
            expected.addAll(view.expectedRows(timeline.key(tenant, r), timeline.finalState().get(r)));
        }
        assertThat(view.outboxNet(tenant)).as("seed %d: net pushed rows", seed)
                .isEqualTo(ones(expected));
    }

    private static Map<String, Long> ones(Set<String> rows) {
        Map<String, Long> out = new HashMap<>();
        rows.forEach(r -> out.put(r, 1L));
        return out;
    }

    /** Guards the property against a generator that stopped producing the hard cases. */
    @Test
    void theTimelinesCoverTheCasesThatOnceLostChanges() {
        int overlap = 0;
        int sameSecond = 0;
        int tombstoneThenFound = 0;
        int appliedOutOfFetchOrder = 0;
        int laterFetchWithOlderState = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            Timeline.Coverage c = Timeline.generate(seed).coverage();
            overlap += c.overlapAnswer() ? 1 : 0;
            sameSecond += c.sameSecondEdits() ? 1 : 0;
            tombstoneThenFound += c.tombstoneThenFound() ? 1 : 0;
            appliedOutOfFetchOrder += c.appliedOutOfFetchOrder() ? 1 : 0;
            laterFetchWithOlderState += c.laterFetchAnsweredOlder() ? 1 : 0;
        }
        assertThat(overlap).as("seeds with an answer inside the DST overlap").isGreaterThan(SEEDS / 5);
        assertThat(sameSecond).as("seeds with two edits in one second").isGreaterThan(SEEDS / 5);
        assertThat(tombstoneThenFound).as("seeds with a 404 applied, then a record found").isGreaterThan(SEEDS / 10);
        assertThat(appliedOutOfFetchOrder).as("seeds applying reads out of fetch order").isGreaterThan(SEEDS / 5);
        assertThat(laterFetchWithOlderState).as("seeds where a later fetch was answered earlier").isGreaterThan(SEEDS / 10);
    }

    sealed interface Step permits Edit, Send, Serve, Apply {}

    /** FreshBooks changes record {@code record} (state null: it is gone, GET answers 404). */
    record Edit(int record, ObjectNode state) implements Step {}

    /** Request {@code request} takes its fetch stamp and is sent. */
    record Send(int request) implements Step {}

    /** FreshBooks answers request {@code request} with the state of that moment. */
    record Serve(int request) implements Step {}

    /** The answer for one record of a request is applied (answer null: 404). */
    record Apply(int request, int record, JsonNode answer) implements Step {}

    /** A seeded timeline; generating it is pure, so its coverage can be counted without a database. */
    record Timeline(int records, List<String> types, List<Step> steps, Map<Integer, JsonNode> finalState,
                    Coverage coverage) {

        record Coverage(boolean overlapAnswer, boolean sameSecondEdits, boolean tombstoneThenFound,
                        boolean appliedOutOfFetchOrder, boolean laterFetchAnsweredOlder) {}

        RecordKey key(String tenant, int record) {
            return new RecordKey(tenant, types.get(record), String.valueOf(1000 + record));
        }

        /** A webhook read or a sweep page: reads one or more records with one stamp and one answer. */
        private static final class Request {
            final int id;
            final List<Integer> records;
            int phase; // 0 waiting to be sent, 1 sent, 2 answered
            int sendOrder;
            final Map<Integer, JsonNode> answers = new HashMap<>();

            Request(int id, List<Integer> records) {
                this.id = id;
                this.records = records;
            }
        }

        /** One answered record of a request, waiting to be applied. */
        private record Pending(Request request, int record) {}

        static Timeline generate(long seed) {
            Random rnd = new Random(seed);
            int records = 1 + rnd.nextInt(3);
            List<String> types = new ArrayList<>();
            List<ObjectNode> server = new ArrayList<>();
            int[] revision = new int[records];
            String[] lastUpdated = new String[records];
            List<Step> steps = new ArrayList<>();
            List<Request> requests = new ArrayList<>();
            List<Pending> answered = new ArrayList<>();
            Instant[] now = {FALL_BACK_DAY.plus(rnd.nextInt(150), ChronoUnit.MINUTES)};
            boolean sameSecond = false;
            boolean overlap = false;
            boolean outOfOrder = false;
            boolean tombstoneThenFound = false;
            Map<Integer, Integer> lastAppliedSendOrder = new HashMap<>();
            Map<Integer, Boolean> tombstoneApplied = new HashMap<>();
            int[] sendCounter = {0};
            int[] requestIds = {0};

            for (int r = 0; r < records; r++) {
                String type = rnd.nextBoolean() ? "invoice" : "payment";
                types.add(type);
                ObjectNode state = (ObjectNode) FreshBooksFixtures.json(
                        type.equals("invoice") ? FreshBooksFixtures.INVOICE : FreshBooksFixtures.PAYMENT);
                state.put("id", 1000 + r);
                server.add(state);
                touch(state, type, now[0], rnd);
                lastUpdated[r] = state.path("updated").asString();
                steps.add(new Edit(r, state.deepCopy()));
                requests.add(new Request(requestIds[0]++, List.of(r))); // the create webhook
            }
            int editsLeft = 4 + rnd.nextInt(20);
            boolean finalSent = false;
            while (true) {
                int choice = rnd.nextInt(10);
                if (editsLeft > 0 && choice < 3) {
                    int r = rnd.nextInt(records);
                    now[0] = now[0].plus(step(rnd));
                    ObjectNode state = server.get(r);
                    int kind = rnd.nextInt(100);
                    if (state == null) { // restored after a hard removal
                        state = (ObjectNode) FreshBooksFixtures.json(types.get(r).equals("invoice")
                                ? FreshBooksFixtures.INVOICE : FreshBooksFixtures.PAYMENT);
                        state.put("id", 1000 + r);
                        server.set(r, state);
                    } else if (kind < 15) {
                        server.set(r, null);
                    } else if (kind < 30) {
                        state.put("vis_state", state.path("vis_state").asInt() == 1 ? 0 : 1);
                    }
                    revision[r]++;
                    if (server.get(r) != null) {
                        state.set("amount", FreshBooksFixtures.json(
                                "{\"amount\":\"" + (100 + revision[r]) + ".00\",\"code\":\"CAD\"}"));
                        touch(state, types.get(r), now[0], rnd);
                        sameSecond |= state.path("updated").asString().equals(lastUpdated[r]);
                        lastUpdated[r] = state.path("updated").asString();
                    }
                    steps.add(new Edit(r, server.get(r) == null ? null : server.get(r).deepCopy()));
                    if (rnd.nextInt(100) < 85) { // some webhooks never arrive
                        requests.add(new Request(requestIds[0]++, List.of(r)));
                    }
                    editsLeft--;
                } else if (!finalSent && choice < 4) {
                    List<Integer> page = new ArrayList<>();
                    for (int r = 0; r < records; r++) {
                        if (rnd.nextInt(100) < 60) {
                            page.add(r);
                        }
                    }
                    if (!page.isEmpty()) {
                        requests.add(new Request(requestIds[0]++, page));
                    }
                } else if (!requests.isEmpty() || !answered.isEmpty()) {
                    int pick = rnd.nextInt(requests.size() + answered.size());
                    if (pick < requests.size()) {
                        Request q = requests.get(pick);
                        if (q.phase == 0) {
                            q.phase = 1;
                            q.sendOrder = sendCounter[0]++;
                            steps.add(new Send(q.id));
                        } else {
                            q.phase = 2;
                            for (int r : q.records) {
                                JsonNode answer = server.get(r) == null ? null : server.get(r).deepCopy();
                                q.answers.put(r, answer);
                                answered.add(new Pending(q, r));
                                overlap |= answer != null && inOverlap(answer.path("updated").asString());
                            }
                            steps.add(new Serve(q.id));
                            requests.remove(pick);
                        }
                    } else {
                        Pending p = answered.remove(pick - requests.size());
                        JsonNode answer = p.request().answers.get(p.record());
                        steps.add(new Apply(p.request().id, p.record(), answer));
                        Integer previous = lastAppliedSendOrder.get(p.record());
                        outOfOrder |= previous != null && previous > p.request().sendOrder;
                        lastAppliedSendOrder.merge(p.record(), p.request().sendOrder, Math::max);
                        tombstoneThenFound |= answer != null && tombstoneApplied.getOrDefault(p.record(), false);
                        tombstoneApplied.put(p.record(), answer == null || tombstoneApplied.getOrDefault(p.record(), false));
                    }
                }
                if (editsLeft == 0 && !finalSent) {
                    // The read that must win: sent after the last change, answered and applied in any order.
                    List<Integer> all = new ArrayList<>();
                    for (int r = 0; r < records; r++) {
                        all.add(r);
                    }
                    Request last = new Request(requestIds[0]++, all);
                    last.phase = 1;
                    last.sendOrder = sendCounter[0]++;
                    steps.add(new Send(last.id));
                    requests.add(last);
                    finalSent = true;
                }
                if (finalSent && requests.isEmpty() && answered.isEmpty()) {
                    break;
                }
            }
            boolean laterAnsweredOlder = laterFetchAnsweredOlder(steps);
            Map<Integer, JsonNode> finalState = new HashMap<>();
            for (int r = 0; r < records; r++) {
                finalState.put(r, server.get(r) == null ? null : server.get(r).deepCopy());
            }
            return new Timeline(records, types, steps, finalState,
                    new Coverage(overlap, sameSecond, tombstoneThenFound, outOfOrder, laterAnsweredOlder));
        }

        /** Time between two edits: same microsecond, same second, minutes, or most of the overlap hour. */
        private static Duration step(Random rnd) {
            return switch (rnd.nextInt(4)) {
                case 0 -> Duration.of(rnd.nextInt(3), ChronoUnit.MICROS);
                case 1 -> Duration.ofMillis(rnd.nextInt(1000));
                case 2 -> Duration.ofSeconds(1 + rnd.nextInt(600));
                default -> Duration.ofMinutes(10 + rnd.nextInt(30));
            };
        }

        /** FreshBooks stamps an edit: Eastern {@code updated}; invoices mostly also carry {@code version}. */
        private static void touch(ObjectNode state, String type, Instant at, Random rnd) {
            state.put("updated", FbTime.eastern(at));
            if (type.equals("invoice") && rnd.nextInt(100) < 85) {
                state.put("version", FbTime.easternMicros(at));
            } else {
                state.remove("version");
            }
        }

        private static boolean inOverlap(String easternWall) {
            LocalDateTime wall = LocalDateTime.parse(easternWall.replace(' ', 'T'));
            return FbTime.EASTERN.getRules().getValidOffsets(wall).size() == 2;
        }

        /** Whether a request sent later was answered before one sent earlier, with a change in between. */
        private static boolean laterFetchAnsweredOlder(List<Step> steps) {
            Map<Integer, Integer> sendIndex = new HashMap<>();
            Map<Integer, Integer> serveAt = new HashMap<>();
            List<Integer> editsAt = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                if (s instanceof Send send) {
                    sendIndex.put(send.request(), sendIndex.size());
                } else if (s instanceof Serve serve) {
                    serveAt.put(serve.request(), i);
                } else if (s instanceof Edit) {
                    editsAt.add(i);
                }
            }
            for (var early : serveAt.entrySet()) {
                for (var late : serveAt.entrySet()) {
                    boolean sentLaterAnsweredFirst = sendIndex.get(early.getKey()) > sendIndex.get(late.getKey())
                            && early.getValue() < late.getValue();
                    if (sentLaterAnsweredFirst && editsAt.stream().anyMatch(e -> e > early.getValue() && e < late.getValue())) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
