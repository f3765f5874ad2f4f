package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link WebhookIntake#readAtMost}: the whole body up to the limit, however the stream hands it over. */
class ReadAtMostTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 300, 1023, 1024, 1025, 8192, 65_536, 65_537, 200_000})
    void readsTheBodyOrTheFirstLimitBytes(int size) throws IOException {
        byte[] body = new byte[size];
        new Random(size).nextBytes(body);
        int limit = 65_537;
        byte[] expected = Arrays.copyOf(body, Math.min(size, limit));

        assertThat(WebhookIntake.readAtMost(new ByteArrayInputStream(body), limit)).isEqualTo(expected);
        assertThat(WebhookIntake.readAtMost(oneByteAtATime(body), limit)).isEqualTo(expected);
    }

    /** A stream that returns one byte per read, as a slow connection may. */
    private static InputStream oneByteAtATime(byte[] body) {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        return new InputStream() {
            @Override
            public int read() {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return in.read(b, off, Math.min(len, 1));
            }
        };
    }
}
