package io.mlconnector.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlconnector.store.Database;
import io.mlconnector.store.TestDatabases;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * A connect link minted by one instance opens once, on any instance of the cluster, within its lifetime; the state it
 * issues is good once, for the browser that opened the link, for ten minutes.
 */
class OAuthStatesIT {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration LINK_LIFETIME = Duration.ofMinutes(15);

    @Test
    void aLinkMintedByOneInstanceOpensOnceOnAnotherAndItsStateNeedsTheBrowser() {
        var config = TestDatabases.postgresConfig();
        try (Database first = Database.open(config); Database second = Database.open(config)) {
            Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
            OAuthStates issuer = new OAuthStates(first, clock, new SecureRandom(), LINK_LIFETIME);
            OAuthStates other = new OAuthStates(second, clock, new SecureRandom(), LINK_LIFETIME);

            String link = issuer.mintLink();
            assertThat(other.start("forged-" + link)).isEmpty();
            assertThat(other.start(null)).isEmpty();
            OAuthStates.BrowserState browser = other.start(link).orElseThrow();
            assertThat(issuer.start(link)).as("a link opens once").isEmpty();

            assertThat(issuer.consume(browser.state(), "another-browser")).as("another browser").isFalse();
            assertThat(issuer.consume(browser.state(), null)).as("no cookie").isFalse();
            assertThat(issuer.consume(link, browser.browserSecret())).as("a link is not a state").isFalse();
            assertThat(issuer.consume(browser.state(), browser.browserSecret())).isTrue();
            assertThat(other.consume(browser.state(), browser.browserSecret())).as("used once").isFalse();
            java.util.List<String> stored = first.jdbi().withHandle(h -> h.createQuery(
                    "SELECT state_hash || ' ' || COALESCE(browser_hash, '') FROM oauth_state").mapTo(String.class).list());
            assertThat(String.join(" ", stored)).doesNotContain(link).doesNotContain(browser.state())
                    .doesNotContain(browser.browserSecret());
        }
    }

    @Test
    void aLinkExpiresAfterItsLifetimeAndAStateAfterTenMinutes() {
        var config = TestDatabases.postgresConfig();
        try (Database database = Database.open(config)) {
            OAuthStates now = new OAuthStates(database, Clock.fixed(T0, ZoneOffset.UTC), new SecureRandom(), LINK_LIFETIME);
            String stale = now.mintLink();
            OAuthStates.BrowserState browser = now.start(now.mintLink()).orElseThrow();
            Clock later = Clock.fixed(T0.plus(LINK_LIFETIME).plusSeconds(1), ZoneOffset.UTC);
            OAuthStates after = new OAuthStates(database, later, new SecureRandom(), LINK_LIFETIME);
            assertThat(after.start(stale)).isEmpty();
            assertThat(after.consume(browser.state(), browser.browserSecret())).isFalse();
        }
    }
}
