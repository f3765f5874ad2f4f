package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PercentEncodingTest {

    @ParameterizedTest
    @ValueSource(strings = {"/hooks/freshbooks/V3imDeVfx4R1lnEe6luKLsEW5xPDVt-DzpR1RJ5SeIA", "/a%20b", "/%2e%2e", "/caf%C3%A9",
            "/%F0%9F%98%80", "/a%2Fb", "code=abc&state=x+y", ""})
    void wellFormedTargetsDecode(String raw) {
        assertThat(PercentEncoding.decodes(raw)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/%u002e", "/x%u002e", "/%zz", "/%", "/%2", "/a%g0", "/%C3%28", "/%FF", "/%C0%AE", "/%ED%A0%80",
            "/%F0%9F%98", "/%٣٣", "/é", "/a\tb"})
    void malformedEscapesAndInvalidUtf8DoNot(String raw) {
        assertThat(PercentEncoding.decodes(raw)).isFalse();
    }
}
