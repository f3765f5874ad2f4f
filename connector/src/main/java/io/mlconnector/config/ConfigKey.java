package io.mlconnector.config;

import java.util.Locale;

/**
 * One configuration setting: its YAML key, type, default and meaning. The loader validates against
 * these and {@link ConfigReference} prints them, so the reference cannot drift from the code.
 *
 * @param key          dotted YAML key in kebab case, e.g. {@code powerbi.client-secret}
 * @param type         how the text value is read and checked
 * @param defaultValue text default, or {@code null} when there is none
 * @param required     true when the service cannot start without a value
 * @param meaning      one line for the reference and for "missing" messages
 */
public record ConfigKey(String key, ValueType type, String defaultValue, boolean required, String meaning) {

    /** How a value is read from text. */
    public enum ValueType {
        TEXT("text"), SECRET("secret text (never printed)"), INT("integer"), DURATION("duration (e.g. 2s, 500ms, 15m, 1d)"),
        URL("http(s) URL"), PATH("file path"), LIST("list (YAML list, or space/comma separated)"), LOG_FORMAT("text | json");

        final String description;

        ValueType(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    static ConfigKey required(String key, ValueType type, String meaning) {
        return new ConfigKey(key, type, null, true, meaning);
    }

    static ConfigKey optional(String key, ValueType type, String defaultValue, String meaning) {
        return new ConfigKey(key, type, defaultValue, false, meaning);
    }

    /** The environment variable that overrides this key: {@code ML_CONNECTOR_} + key, upper case, '.' and '-' as '_'. */
    public String envName() {
        return "ML_CONNECTOR_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    public boolean secret() {
        return type == ValueType.SECRET;
    }
}
