package io.mlconnector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Error classes of stored errors, and what {@code --error} matches. */
class ErrorClassTest {

    @Test
    void classes() {
        assertThat(ErrorClass.of("400 InvalidRequest: value 'Refused Vendor' of column vendor")).isEqualTo("http-400");
        assertThat(ErrorClass.of("FreshBooks answered 503 to GET /accounting/account/A/invoices/invoices/7"))
                .isEqualTo("http-503");
        assertThat(ErrorClass.of("HTTP 429 too many requests")).isEqualTo("http-429");
        assertThat(ErrorClass.of("FreshBooks unreachable: Connection refused")).isEqualTo("unreachable");
        assertThat(ErrorClass.of("no response: java.net.ConnectException")).isEqualTo("unreachable");
        assertThat(ErrorClass.of("java.lang.IllegalArgumentException: FreshBooks record without an id"))
                .isEqualTo("IllegalArgumentException");
        assertThat(ErrorClass.of("record 1200 not found")).as("a number that is not a status").isEqualTo("other");
        assertThat(ErrorClass.of(null)).isEqualTo("other");
    }

    @Test
    void matchesByClassOrWords() {
        String refused = "400 InvalidRequest: value 'Refused Vendor' of column vendor";
        assertThat(ErrorClass.matches("http-400", refused)).isTrue();
        assertThat(ErrorClass.matches("HTTP-400", refused)).isTrue();
        assertThat(ErrorClass.matches("refused vendor", refused)).isTrue();
        assertThat(ErrorClass.matches("http-503", refused)).isFalse();
        assertThat(ErrorClass.matches(null, refused)).isTrue();
        assertThat(ErrorClass.matches("unreachable", null)).isFalse();
    }
}
