package io.mlconnector.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The JVM flags {@code mlc} runs the connector with: {@code MLC_JAVA_OPTS} when it is set (even empty), else the
 * defaults in {@code mlc-jvm.options}, the file the {@code mlc} launcher hands to {@code java} as an @argument file.
 * Child JVMs that stand for {@code mlc serve} (tests, {@code mlc demo --instances}, benchmarks) take their flags from
 * here, so they run as users' do.
 */
public final class JvmOptions {

    /** The environment variable whose value replaces the defaults, as in the {@code mlc} launcher. */
    public static final String ENV = "MLC_JAVA_OPTS";
    /** The defaults on the classpath; {@code connector/src/main/resources/mlc-jvm.options} in the source tree. */
    static final String RESOURCE = "/mlc-jvm.options";

    private JvmOptions() {}

    /** The flags for a JVM started with {@code env}: what {@code mlc} would pass to {@code java}. */
    public static List<String> forEnvironment(Map<String, String> env) {
        return choose(env.get(ENV), defaults());
    }

    /** {@code userOptions} split at blanks when given (as the launcher's unquoted expansion does), else the defaults. */
    static List<String> choose(String userOptions, List<String> defaults) {
        if (userOptions == null) {
            return defaults;
        }
        return Arrays.stream(userOptions.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** The flags in {@code mlc-jvm.options}. */
    public static List<String> defaults() {
        try (InputStream in = JvmOptions.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flags split at blanks; lines starting with {@code #} are comments (a subset of java's @file syntax). */
    static List<String> parse(String file) {
        return file.lines().map(String::strip).filter(line -> !line.startsWith("#"))
                .flatMap(line -> Arrays.stream(line.split("\\s+"))).filter(flag -> !flag.isEmpty()).toList();
    }
}
