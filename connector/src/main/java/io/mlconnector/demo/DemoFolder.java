package io.mlconnector.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's data folder ({@code mlc demo --data}): every run starts from an empty one, but the demo empties only
 * a folder it created itself, known by a marker file, so a mistyped {@code --data} never deletes someone's files.
 */
public final class DemoFolder {

    public static final String MARKER = ".mlc-demo";

    /** The folder is not one the demo may use; the message is one line naming {@code --data} and the fix. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private DemoFolder() {}

    /**
     * Makes {@code folder} an empty demo folder holding only the marker: creates it if missing, claims it if empty,
     * empties it if an earlier demo created it; refuses anything else without deleting anything.
     */
    public static void prepare(Path folder) throws IOException {
        if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(folder)) {
            throw new Refused("--data: " + folder + " is not a folder; give a folder that does not exist yet"
                    + " (mlc demo creates it) or one an earlier mlc demo created");
        }
        Files.createDirectories(folder);
        List<Path> entries;
        try (Stream<Path> list = Files.list(folder)) {
            entries = list.toList();
        }
        Path marker = folder.resolve(MARKER);
        if (!entries.isEmpty() && !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
            throw new Refused("--data: " + folder + " is not empty and was not created by mlc demo (it has no " + MARKER
                    + " file), so the demo will not empty it; give a new or empty folder with --data");
        }
        for (Path entry : entries) {
            if (!entry.equals(marker)) {
                deleteTree(entry);
            }
        }
        Files.writeString(marker, "Created by mlc demo, which empties this folder when it starts.\n"
                + "Delete this file to keep mlc demo from ever emptying it.\n", StandardCharsets.UTF_8);
    }

    /** Deletes a file, a link (never its target) or a folder with everything in it. */
    private static void deleteTree(Path entry) throws IOException {
        try (Stream<Path> paths = Files.walk(entry)) { // walk does not follow links: a link is deleted, not what it points to
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
