package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlc demo} as a user runs it, in its own JVM with the product's logging setup (the test classes, and their
 * logback-test.xml, are left off the classpath): the first line on stdout is the demo's own, and the demo ends with
 * FreshBooks' totals beside Power BI's, matching to the cent.
 */
public class DemoOutputIT {
    @TempDir
    Path dir;

    @Test
    void theDemoSpeaksFirstAndEndsWithTotalsThatMatch() throws Exception {
        Path stdout = dir.resolve("demo.out");
        Path stderr = dir.resolve("demo.err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Xmx384m", "-XX:+UseSerialGC", "-cp", productClassPath(),
                "io.mlconnector.cli.Main", "demo", "--duration", "4s", "--history", "30", "--data",
                dir.resolve("data").toString())
                .directory(dir.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        boolean ended = demo.waitFor(4, TimeUnit.MINUTES);
        if (!ended) {
            demo.destroyForcibly();
        }
        List<String> out = Files.readAllLines(stdout);
        String all = String.join("\n", out) + "\n--- stderr\n" + Files.readString(stderr);

        assertThat(ended).as(all).isTrue();
        assertThat(demo.exitValue()).as(all).isZero();
        assertThat(out).as(all).first().isEqualTo("Simulators:");
        assertThat(out).as(all).noneMatch(line -> line.contains("|-INFO") || line.contains("logback")
                || line.startsWith("\tat "));
        assertThat(out).as(all).contains("Every table matches FreshBooks to the cent.");
        assertThat(out).as(all).anyMatch(line -> line.trim().startsWith("invoices") && line.contains("match to the cent"));
    }

    /** This JVM's classpath without the test classes, so the child logs as the product does. */
    private static String productClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes") && !entry.endsWith("test-classes/"))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
