package io.mlconnector.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogFormatTest {
    @AfterEach
    void backToText() {
        LogFormat.TEXT.apply();
    }

    private static List<String> rootAppenders() {
        Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
        List<String> names = new ArrayList<>();
        for (var it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<?> appender = it.next();
            names.add(appender.getName());
        }
        return names;
    }

    @Test
    void logFormatFromTheFileSwitchesTheAppender() {
        LogFormat.JSON.apply();
        assertThat(rootAppenders()).containsExactly("json");
        LogFormat.TEXT.apply();
        assertThat(rootAppenders()).containsExactly("text");
    }

    @Test
    void theStartUpFormatComesFromTheEnvironment() {
        assertThat(LogFormat.atStartUp(Map.of())).isEqualTo(LogFormat.TEXT);
        assertThat(LogFormat.atStartUp(Map.of("ML_CONNECTOR_LOG_FORMAT", "json"))).isEqualTo(LogFormat.JSON);
        assertThat(LogFormat.atStartUp(Map.of("ML_CONNECTOR_LOG_FORMAT", "xml"))).isEqualTo(LogFormat.TEXT);
    }
}
