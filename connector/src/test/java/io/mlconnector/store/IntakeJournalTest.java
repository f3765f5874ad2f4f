package io.mlconnector.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.sim.common.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntakeJournalTest {
    @TempDir
    Path dir;

    private static InboxEvent event(String id) {
        return new InboxEvent(Instant.parse("2026-12-01T10:00:00.123456Z"), "ACM123", "tok", "invoice.update", "invoice",
                id, "{\"name\": \"invoice.update\", \"object_id\": \"" + id + "\"}");
    }

    @Test
    void readsBackWhatWasAppendedAndSkipsALineTornByACrash() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        IntakeJournal journal = IntakeJournal.open(dir, clock);
        journal.append(List.of(event("1"), event("2")));
        journal.append(List.of(event("3")));
        journal.close();
        try (Stream<Path> files = Files.list(dir)) {
            Files.writeString(files.findFirst().orElseThrow(), "{\"receivedAt\": \"2026-12-0", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
        }

        assertThat(IntakeJournal.open(dir, clock).readAll()).containsExactly(event("1"), event("2"), event("3"));
    }

    @Test
    void rotationForcesTheStoreFirstAndKeepsThePreviousSegment() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        IntakeJournal journal = IntakeJournal.open(dir, clock);
        AtomicInteger checkpoints = new AtomicInteger();
        journal.append(List.of(event("1")));
        journal.rotateIfDue(checkpoints::incrementAndGet);
        assertThat(checkpoints).hasValue(0); // not due yet

        clock.advance(IntakeJournal.SEGMENT_AGE);
        journal.rotateIfDue(checkpoints::incrementAndGet);
        journal.append(List.of(event("2")));
        clock.advance(IntakeJournal.SEGMENT_AGE.plus(Duration.ofMillis(1)));
        journal.rotateIfDue(checkpoints::incrementAndGet);

        assertThat(checkpoints).hasValue(2);
        assertThat(journal.readAll()).as("only the segment closed last is kept").containsExactly(event("2"));
        journal.clear();
        assertThat(journal.readAll()).isEmpty();
    }

    @Test
    void journalLivesBesideAnH2FileStoreOnly() {
        assertThat(IntakeJournal.directoryFor("jdbc:h2:file:/var/mlc/ml-connector;WRITE_DELAY=0"))
                .contains(Path.of("/var/mlc/ml-connector.intake-journal"));
        assertThat(IntakeJournal.directoryFor("jdbc:h2:mem:test")).isEmpty();
        assertThat(IntakeJournal.directoryFor("jdbc:postgresql://db/mlc")).isEmpty();
    }
}
