package io.mlconnector.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, item 6: the demo empties only a folder it created itself. */
class DemoFolderTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFolderIsCreatedAndMarked() throws Exception {
        Path data = dir.resolve("data/demo");

        DemoFolder.prepare(data);

        assertThat(data).isDirectory();
        assertThat(Files.list(data)).containsExactly(data.resolve(DemoFolder.MARKER));
    }

    @Test
    void anEmptyFolderIsClaimed() throws Exception {
        Path data = Files.createDirectory(dir.resolve("empty"));

        DemoFolder.prepare(data);

        assertThat(data.resolve(DemoFolder.MARKER)).isRegularFile();
    }

    @Test
    void aMarkedFolderIsEmptiedButWhatItsLinksPointAtIsKept() throws Exception {
        Path data = dir.resolve("demo");
        DemoFolder.prepare(data);
        Files.writeString(data.resolve("ml-connector.mv.db"), "db");
        Files.createDirectories(data.resolve("postgres/base")).resolve("1");
        Files.writeString(data.resolve("postgres/base/1"), "pg");
        Path outside = Files.createDirectory(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "keep");
        Files.createSymbolicLink(data.resolve("link-to-outside"), outside);

        DemoFolder.prepare(data);

        assertThat(Files.list(data)).containsExactly(data.resolve(DemoFolder.MARKER));
        assertThat(outside.resolve("keep.txt")).hasContent("keep");
    }

    @Test
    void aNonEmptyFolderWithoutTheMarkerIsRefusedAndKeptWhole() throws Exception {
        Path data = Files.createDirectory(dir.resolve("photos"));
        Files.writeString(data.resolve("holiday.jpg"), "jpg");
        Files.createDirectory(data.resolve("2025"));

        assertThatThrownBy(() -> DemoFolder.prepare(data)).isInstanceOf(DemoFolder.Refused.class)
                .hasMessageStartingWith("--data: " + data + " is not empty")
                .hasMessageContaining(DemoFolder.MARKER).hasMessageEndingWith("give a new or empty folder with --data");

        assertThat(Files.list(data)).containsExactlyInAnyOrder(data.resolve("holiday.jpg"), data.resolve("2025"));
        assertThat(data.resolve("holiday.jpg")).hasContent("jpg");
    }

    @Test
    void aRegularFileIsRefusedAndKept() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "notes");

        assertThatThrownBy(() -> DemoFolder.prepare(file)).isInstanceOf(DemoFolder.Refused.class)
                .hasMessageStartingWith("--data: " + file + " is not a folder");

        assertThat(file).hasContent("notes");
    }
}
