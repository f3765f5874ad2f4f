package io.mlconnector.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdminAuthTest {

    @Test
    void loopbackNamesWithOrWithoutAPortPass() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.1:8081", "localhost:8081", "LOCALHOST", "[::1]:8081",
                "[::1]", "127.4.5.6:80", null}) {
            assertThat(AdminAuth.loopbackHost(host)).as(String.valueOf(host)).isTrue();
        }
    }

    @Test
    void otherNamesAreRefused() {
        // A DNS name rebound to 127.0.0.1 still arrives with its own name in Host.
        for (String host : new String[] {"evil.example:8081", "localhost.evil.example", "127.0.0.1.nip.io:8081",
                "10.0.0.5:8081", "[::2]:8081", "128.0.0.1"}) {
            assertThat(AdminAuth.loopbackHost(host)).as(host).isFalse();
        }
    }

    @Test
    void theBearerTokenOrTheSessionCookieAuthorizes() {
        AdminAuth auth = new AdminAuth("s3cret");
        assertThat(auth.authorized("Bearer s3cret", null)).isTrue();
        assertThat(auth.authorized("Bearer wrong", null)).isFalse();
        assertThat(auth.authorized(null, "s3cret")).as("the cookie holds a digest, not the token").isFalse();
        assertThat(auth.authorized(null, null)).isFalse();
    }
}
