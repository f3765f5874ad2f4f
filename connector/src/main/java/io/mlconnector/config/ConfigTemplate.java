package io.mlconnector.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A commented {@code ml-connector.yaml} written from {@link ConfigKeys#ALL}: every key under its topic, with its
 * meaning, default and environment variable as comments, so the file cannot drift from what the loader reads.
 * A key given a value is written set; a required key without one is written empty ({@code key:}), so the loader
 * names it until it is filled in; any other key is written commented out at its default.
 */
public final class ConfigTemplate {

    private static final int WIDTH = 110;

    private ConfigTemplate() {
    }

    /**
     * @param header lines put first, each as a comment
     * @param values key to value (text as it goes after {@code key: }); keys must be in {@link ConfigKeys#ALL}
     */
    public static String yaml(List<String> header, Map<String, String> values) {
        for (String key : values.keySet()) {
            if (ConfigKeys.find(key).isEmpty()) {
                throw new IllegalArgumentException("not a configuration key: " + key);
            }
        }
        StringBuilder out = new StringBuilder();
        header.forEach(line -> out.append(line.isEmpty() ? "#" : "# " + line).append('\n'));
        String topic = "";
        for (ConfigKey key : ConfigKeys.ALL) {
            String keyTopic = key.key().substring(0, key.key().indexOf('.'));
            String name = key.key().substring(keyTopic.length() + 1);
            if (!keyTopic.equals(topic)) {
                topic = keyTopic;
                out.append('\n').append(topic).append(":\n");
            } else {
                out.append('\n'); // a blank line between keys, so each comment reads with its key
            }
            for (String line : wrap(comment(key), WIDTH - 4)) {
                out.append("  # ").append(line).append('\n');
            }
            String value = values.get(key.key());
            if (value != null) {
                out.append("  ").append(name).append(": ").append(quoted(value)).append('\n');
            } else if (key.required()) {
                out.append("  ").append(name).append(":\n");
            } else {
                out.append("  # ").append(name).append(":")
                        .append(key.defaultValue() == null || key.defaultValue().isEmpty() ? "" : " " + quoted(key.defaultValue()))
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static String comment(ConfigKey key) {
        String status = key.required() ? "Required." : key.defaultValue() == null ? "Optional." : "";
        String meaning = Character.toUpperCase(key.meaning().charAt(0)) + key.meaning().substring(1);
        return (meaning.endsWith(".") ? meaning : meaning + ".") + (status.isEmpty() ? "" : " " + status)
                + " Type: " + key.type().description() + "." + " Environment: " + key.envName()
                + (key.secret() ? " (better there than in this file)." : ".");
    }

    /** YAML plain scalars cannot hold every text (a leading '*', '@', '-' or '~', ': ', ' #', ...): quote those. */
    static String quoted(String value) {
        boolean plain = value.matches("[A-Za-z0-9/.(][A-Za-z0-9~/._@+()=:;,\\- ]*") && !value.contains(": ")
                && !value.endsWith(":") && !value.endsWith(" ") && !value.matches("(?i)true|false|yes|no|on|off|null|~");
        return plain ? value : "'" + value.replace("'", "''") + "'";
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
