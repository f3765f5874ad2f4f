package io.mlconnector.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;

/**
 * A write-ahead copy of webhook events for the H2 store: the group commit appends each group here and forces it
 * to disk before the 204, so an acknowledged event survives even when H2 itself does not keep it.
 * <p>
 * Why: with H2 2.5.252, {@code WRITE_DELAY 0} and {@code CHECKPOINT SYNC} after each group (which does write the
 * pending chunk, then {@code FileChannel.force}: {@code Database.sync → Store.sync → MVStore.commit + sync}),
 * a {@code kill -9} while other threads commit (worker lanes, pusher, db-scheduler) still lost the last one or two
 * acknowledged groups after restart (IntakeKillIT: 14 of 5,517 in 2 of 6 kills, 5 of 4,918 in 1 of 8); a
 * single-threaded probe lost nothing. The loss lies in H2's chunk writing or crash recovery under concurrent
 * commits, out of our reach, so durability of the intake no longer depends on it.
 * <p>
 * Segments ({@code segment-<epoch ms>.log}, one JSON event per line) rotate every {@link #SEGMENT_AGE}; at each
 * rotation H2 is checkpointed to disk and only the segments before the previous one are deleted, so every event
 * stays here for at least one segment age after H2 holds it. At start-up {@link InboxWriter} puts back into the
 * inbox any journalled event the inbox lacks, then empties the journal.
 */
final class IntakeJournal implements AutoCloseable {
    static final Duration SEGMENT_AGE = Duration.ofSeconds(10);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path dir;
    private final Clock clock;
    /** Segments of earlier runs: deleted only by {@link #clear()}, once their events are known to be in the store. */
    private final List<Path> earlier;
    private FileChannel current;
    private Path currentPath;
    private Instant currentOpened;

    private IntakeJournal(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
        this.earlier = new ArrayList<>(segments());
    }

    /** The journal directory beside an H2 file store ({@code <file>.intake-journal}); none for other stores. */
    static Optional<Path> directoryFor(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (!url.startsWith("jdbc:h2:") || url.startsWith("jdbc:h2:mem:") || url.startsWith("jdbc:h2:tcp:")
                || url.startsWith("jdbc:h2:ssl:")) {
            return Optional.empty();
        }
        String file = jdbcUrl.substring("jdbc:h2:".length()).split(";", 2)[0];
        file = file.startsWith("file:") ? file.substring("file:".length()) : file;
        if (file.startsWith("~")) {
            file = System.getProperty("user.home") + file.substring(1);
        }
        return Optional.of(Path.of(file + ".intake-journal").toAbsolutePath());
    }

    static IntakeJournal open(Path dir, Clock clock) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the intake journal " + dir + ": " + e.getMessage(), e);
        }
        return new IntakeJournal(dir, clock);
    }

    /** Appends the events and forces them to disk. */
    void append(List<InboxEvent> events) {
        StringBuilder lines = new StringBuilder();
        for (InboxEvent e : events) {
            lines.append(JSON.writeValueAsString(Map.of("receivedAt", e.receivedAt().toString(), "tenantId", e.tenantId(),
                    "uriToken", e.uriToken(), "eventName", e.eventName(), "objectType", e.objectType(),
                    "objectId", e.objectId(), "fieldsJson", e.fieldsJson()))).append('\n');
        }
        try {
            if (current == null) {
                startSegment();
            }
            ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                current.write(bytes);
            }
            current.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("intake journal write failed: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a new segment when the current one is older than {@link #SEGMENT_AGE}: first {@code checkpoint}
     * (which must force the store to disk), then deletes every segment before the one just closed.
     */
    void rotateIfDue(Runnable checkpoint) {
        if (current == null || Duration.between(currentOpened, clock.instant()).compareTo(SEGMENT_AGE) < 0) {
            return;
        }
        checkpoint.run();
        Path closed = currentPath;
        closeCurrent();
        for (Path segment : segments()) {
            if (!earlier.contains(segment) && segment.getFileName().toString().compareTo(closed.getFileName().toString()) < 0) {
                delete(segment);
            }
        }
    }

    /** Every journalled event, oldest segment first; a line torn by a crash is skipped. */
    List<InboxEvent> readAll() {
        List<InboxEvent> events = new ArrayList<>();
        for (Path segment : segments()) {
            try {
                for (String line : Files.readAllLines(segment, StandardCharsets.UTF_8)) {
                    try {
                        Map<?, ?> m = JSON.readValue(line, Map.class);
                        events.add(new InboxEvent(Instant.parse((String) m.get("receivedAt")), (String) m.get("tenantId"),
                                (String) m.get("uriToken"), (String) m.get("eventName"), (String) m.get("objectType"),
                                (String) m.get("objectId"), (String) m.get("fieldsJson")));
                    } catch (RuntimeException e) { // JacksonException included
                        // the tail of a write cut by a crash: never acknowledged
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the intake journal " + segment + ": " + e.getMessage(), e);
            }
        }
        return events;
    }

    /** Deletes every segment (after their events were found in, or put back into, a store forced to disk). */
    void clear() {
        closeCurrent();
        segments().forEach(IntakeJournal::delete);
        earlier.clear();
    }

    @Override
    public void close() {
        closeCurrent();
    }

    private void startSegment() throws IOException {
        Instant now = clock.instant();
        currentPath = dir.resolve(String.format(Locale.ROOT, "segment-%015d.log", now.toEpochMilli()));
        current = FileChannel.open(currentPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        currentOpened = now;
    }

    private void closeCurrent() {
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // its content was forced after each append
            }
            current = null;
        }
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("segment-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the intake journal " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path segment) {
        try {
            Files.deleteIfExists(segment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete intake journal segment " + segment + ": " + e.getMessage(), e);
        }
    }
}
