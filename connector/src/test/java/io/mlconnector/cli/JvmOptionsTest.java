package io.mlconnector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JVM flags of {@code mlc}: one file, read by the launcher and by every child JVM that stands for it. */
class JvmOptionsTest {

    @Test
    void withoutMlcJavaOptsTheDefaultsApply() {
        assertThat(JvmOptions.forEnvironment(Map.of())).isEqualTo(JvmOptions.defaults())
                .anyMatch(flag -> flag.startsWith("-Xmx")).contains("-XX:+UseSerialGC");
    }

    @Test
    void mlcJavaOptsReplacesTheDefaultsWholly() {
        assertThat(JvmOptions.forEnvironment(Map.of("MLC_JAVA_OPTS", "  -Xmx1g   -XX:+UseG1GC ")))
                .containsExactly("-Xmx1g", "-XX:+UseG1GC");
        assertThat(JvmOptions.choose("", List.of("-Xmx64m"))).as("set but empty: the JVM's own defaults").isEmpty();
        assertThat(JvmOptions.choose(null, List.of("-Xmx64m"))).containsExactly("-Xmx64m");
    }

    @Test
    void theFileHasCommentsBlankLinesAndFlags() {
        assertThat(JvmOptions.parse("# why\n\n-Xmx64m\n  -XX:+UseSerialGC  -Xss512k\n# -Xms1g\n"))
                .containsExactly("-Xmx64m", "-XX:+UseSerialGC", "-Xss512k");
    }

    @Test
    void theLauncherPassesTheSameFile() throws Exception {
        Path source = Path.of("src/main/resources/mlc-jvm.options");
        assertThat(JvmOptions.parse(Files.readString(source, StandardCharsets.UTF_8))).isEqualTo(JvmOptions.defaults());
        assertThat(Files.readString(Path.of("../mlc"), StandardCharsets.UTF_8))
                .contains("${MLC_JAVA_OPTS+set}")
                .contains("java @\"$here/connector/" + source + "\" -jar");
    }

    @Test
    void javaAcceptsTheDefaults() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(JvmOptions.defaults());
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(output).isZero();
    }
}
