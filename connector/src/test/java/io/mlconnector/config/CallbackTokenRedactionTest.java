package io.mlconnector.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Whoever logs a webhook path (Jetty does, with its WARN lines), the callback token is cut to 6 characters. */
class CallbackTokenRedactionTest {

    static final String TOKEN = "2A-HgiGFD9Cp7tt2yxcGGdm27WGQ_8fabuWx1wRI4eY";

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void capture() {
        lines.start();
        root.addAppender(lines);
    }

    @AfterEach
    void release() {
        root.detachAppender(lines);
    }

    @Test
    void aJettyStyleWarningLosesTheTokenInItsMessageAndItsException() {
        org.slf4j.Logger jetty = LoggerFactory.getLogger("org.eclipse.jetty.ee10.servlet.ServletChannel");
        jetty.warn("handleException {}", "/hooks/freshbooks/" + TOKEN + "?x=1",
                new IOException("Idle timeout for /hooks/freshbooks/" + TOKEN));

        assertThat(lines.list).singleElement().satisfies(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain(TOKEN)
                    .startsWith("handleException /hooks/freshbooks/2A-Hgi…?x=1")
                    .contains("java.io.IOException: Idle timeout for /hooks/freshbooks/2A-Hgi…");
            assertThat(event.getThrowableProxy()).isNull();
            assertThat(event.getLoggerName()).isEqualTo("org.eclipse.jetty.ee10.servlet.ServletChannel");
        });
    }

    @Test
    void linesWithoutAWebhookPathAreLeftAlone() {
        LoggerFactory.getLogger("io.mlconnector.test").info("Connected {} businesses", 3);

        assertThat(lines.list).singleElement().satisfies(event ->
                assertThat(event.getFormattedMessage()).isEqualTo("Connected 3 businesses"));
    }

    @Test
    void redactKeepsSixCharacters() {
        assertThat(CallbackTokenRedaction.redact("POST /hooks/freshbooks/" + TOKEN + " HTTP/1.1"))
                .isEqualTo("POST /hooks/freshbooks/2A-Hgi… HTTP/1.1");
    }
}
