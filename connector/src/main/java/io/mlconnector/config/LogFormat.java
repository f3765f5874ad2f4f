package io.mlconnector.config;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Log output: human-readable text (default) or one JSON object per line for log collectors. */
public enum LogFormat {
    TEXT, JSON;

    static final String PROPERTY = "ML_CONNECTOR_LOG_FORMAT";

    static LogFormat parse(String text) {
        return LogFormat.valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    /** The format logback.xml chose at start-up: {@code ML_CONNECTOR_LOG_FORMAT}, else text. */
    public static LogFormat atStartUp(java.util.Map<String, String> environment) {
        String value = environment.get(PROPERTY);
        try {
            return value == null ? TEXT : parse(value);
        } catch (IllegalArgumentException e) {
            return TEXT;
        }
    }

    /** Re-reads logback.xml with this format; the environment variable alone already works at start-up. */
    public void apply() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        URL configuration = LogFormat.class.getClassLoader().getResource("logback.xml");
        if (configuration == null) {
            return;
        }
        context.reset();
        context.putProperty(PROPERTY, name().toLowerCase(Locale.ROOT));
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(configuration);
        } catch (JoranException e) {
            throw new IllegalStateException("logback.xml could not be re-read for log format " + this, e);
        }
    }
}
