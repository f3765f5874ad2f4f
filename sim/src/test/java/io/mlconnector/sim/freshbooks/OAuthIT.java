package io.mlconnector.sim.freshbooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.mlconnector.sim.common.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OAuthIT {

    private static final String REDIRECT = FreshBooksConfig.DEMO_REDIRECT_URIS.get(0);

    private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private FreshBooksSimulator sim;
    private String base;

    @BeforeEach
    void start() {
        sim = new FreshBooksSimulator(FreshBooksConfig.demo(), clock).start(0);
        base = sim.baseUrl();
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private String authorize(String path, String scope) {
        Http.Res r = Http.get(base + path + "?client_id=" + FreshBooksConfig.DEMO_CLIENT_ID + "&response_type=code"
                + "&redirect_uri=" + enc(REDIRECT) + (scope == null ? "" : "&scope=" + enc(scope)) + "&state=xyz%201", null);
        assertThat(r.status()).isEqualTo(302);
        URI location = URI.create(r.header("Location"));
        assertThat(location.toString()).startsWith(REDIRECT + "?code=");
        assertThat(location.getQuery()).contains("state=xyz 1");
        return location.getQuery().split("&")[0].substring("code=".length());
    }

    private Http.Res exchange(String code) {
        return Http.form(base + "/auth/oauth/token", Map.of("grant_type", "authorization_code",
                "client_id", FreshBooksConfig.DEMO_CLIENT_ID, "client_secret", FreshBooksConfig.DEMO_CLIENT_SECRET,
                "code", code, "redirect_uri", REDIRECT));
    }

    private Http.Res refresh(String refreshToken) {
        return Http.json("POST", base + "/auth/oauth/token", null, "{\"grant_type\":\"refresh_token\",\"client_id\":\""
                + FreshBooksConfig.DEMO_CLIENT_ID + "\",\"client_secret\":\"" + FreshBooksConfig.DEMO_CLIENT_SECRET
                + "\",\"refresh_token\":\"" + refreshToken + "\",\"redirect_uri\":\"" + REDIRECT + "\"}");
    }

    @Test
    void codeGrantGivesTwelveHourTokenAndIdentity() {
        Http.Res r = exchange(authorize("/oauth/authorize", null));

        assertThat(r.status()).isEqualTo(200);
        JsonNode t = r.json();
        assertThat(t.get("token_type").asString()).isEqualTo("Bearer");
        assertThat(t.get("expires_in").asLong()).isEqualTo(43200);
        assertThat(t.get("created_at").asLong()).isEqualTo(clock.instant().getEpochSecond());
        assertThat(t.get("scope").asString()).contains("user:profile:read", "user:invoices:read");

        Http.Res me = Http.get(base + "/auth/api/v1/users/me", t.get("access_token").asString());
        assertThat(me.status()).isEqualTo(200);
        JsonNode business = me.json().at("/response/business_memberships/0/business");
        assertThat(business.get("account_id").asString()).isEqualTo("ACM123");
        assertThat(business.get("id").asLong()).isEqualTo(439000);
        assertThat(business.get("business_uuid").asString()).isEqualTo("046cc001-0002-e93e-1db1-1186b2983879");
        assertThat(me.json().at("/response/roles/0/accountid").asString()).isEqualTo("ACM123");
        assertThat(me.json().at("/response/business_memberships").size()).isEqualTo(2);
    }

    @Test
    void javaSdkAuthorizePathAndMultipartTokenRequestWork() {
        String code = authorize("/service/auth/oauth/authorize", "user:profile:read user:invoices:read");
        Http.Res r = Http.multipart(base + "/auth/oauth/token", Map.of("grant_type", "authorization_code",
                "client_id", FreshBooksConfig.DEMO_CLIENT_ID, "client_secret", FreshBooksConfig.DEMO_CLIENT_SECRET,
                "code", code, "redirect_uri", REDIRECT));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("scope").asString()).isEqualTo("user:profile:read user:invoices:read");
    }

    @Test
    void refreshRotatesAndReuseIsInvalidGrant() {
        JsonNode first = exchange(authorize("/oauth/authorize", null)).json();
        String r1 = first.get("refresh_token").asString();

        Http.Res second = refresh(r1);
        assertThat(second.status()).isEqualTo(200);
        String r2 = second.json().get("refresh_token").asString();
        assertThat(r2).isNotEqualTo(r1);
        assertThat(second.json().get("access_token").asString()).isNotEqualTo(first.get("access_token").asString());

        Http.Res reuse = refresh(r1);
        assertThat(reuse.status()).isEqualTo(400);
        assertThat(reuse.json().get("error").asString()).isEqualTo("invalid_grant");
        assertThat(reuse.json().has("error_description")).isTrue();

        assertThat(refresh(r2).status()).isEqualTo(200);
        assertThat(sim.oauth().tokenLog()).extracting(OAuthServer.TokenRequest::grantType, OAuthServer.TokenRequest::error)
                .containsExactly(tuple("authorization_code", null),
                        tuple("refresh_token", null),
                        tuple("refresh_token", "invalid_grant"),
                        tuple("refresh_token", null));
        assertThat(sim.oauth().tokenLog()).extracting(OAuthServer.TokenRequest::grantId).containsOnly(
                sim.oauth().tokenLog().get(0).grantId());
        // the replaced access token no longer works (strict default)
        assertThat(Http.get(base + "/auth/api/v1/users/me", first.get("access_token").asString()).status()).isEqualTo(401);
    }

    @Test
    void codeExpiresAfterFiveMinutesAndIsSingleUse() {
        String late = authorize("/oauth/authorize", null);
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        Http.Res r = exchange(late);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("error").asString()).isEqualTo("invalid_grant");

        String code = authorize("/oauth/authorize", null);
        clock.advance(Duration.ofMinutes(4));
        assertThat(exchange(code).status()).isEqualTo(200);
        assertThat(exchange(code).json().get("error").asString()).isEqualTo("invalid_grant");
    }

    @Test
    void expiredAccessTokenGets401InEachFamilyFormat() {
        String token = sim.demoTokens(null).accessToken();
        clock.advance(Duration.ofHours(12));

        Http.Res me = Http.get(base + "/auth/api/v1/users/me", token);
        assertThat(me.status()).isEqualTo(401);
        assertThat(me.json().get("error").asString()).isEqualTo("unauthenticated");
        assertThat(me.json().get("error_description").asString()).isNotBlank();

        Http.Res acct = Http.get(base + "/accounting/account/ACM123/invoices/invoices", token);
        assertThat(acct.status()).isEqualTo(401);
        assertThat(acct.json().at("/response/errors/0/errno").asInt()).isEqualTo(1003);

        Http.Res events = Http.get(base + "/events/account/ACM123/events/callbacks", token);
        assertThat(events.status()).isEqualTo(401);
        assertThat(events.json().get("errno").asInt()).isEqualTo(401);
        assertThat(events.json().get("message").asString()).startsWith("invalid_token");
    }

    @Test
    void missingScopeIs403ListingProvidedAndRequired() {
        String token = sim.demoTokens("user:profile:read user:invoices:read").accessToken();

        assertThat(Http.get(base + "/accounting/account/ACM123/invoices/invoices", token).status()).isEqualTo(200);
        Http.Res r = Http.get(base + "/accounting/account/ACM123/payments/payments", token);
        assertThat(r.status()).isEqualTo(403);
        String message = r.json().at("/response/errors/0/message").asString();
        assertThat(message).contains("Provided scopes: user:profile:read user:invoices:read")
                .contains("Required scopes: user:payments:read");

        Http.Res ledger = Http.get(base + "/accounting/businesses/" + FreshBooksConfig.DEMO_ACME.businessUuid()
                + "/ledger_accounts/accounts", token);
        assertThat(ledger.status()).isEqualTo(403);
        assertThat(ledger.json().at("/errors/status").asInt()).isEqualTo(403);
    }

    @Test
    void revokeKillsTheGrantAndBadClientIsRejected() {
        OAuthServer.TokenResponse t = sim.demoTokens(null);
        Http.Res revoke = Http.json("POST", base + "/auth/oauth/revoke", null, "{\"client_id\":\""
                + FreshBooksConfig.DEMO_CLIENT_ID + "\",\"client_secret\":\"" + FreshBooksConfig.DEMO_CLIENT_SECRET
                + "\",\"token\":\"" + t.accessToken() + "\"}");
        assertThat(revoke.status()).isEqualTo(200);
        assertThat(Http.get(base + "/auth/api/v1/users/me", t.accessToken()).status()).isEqualTo(401);
        assertThat(refresh(t.refreshToken()).json().get("error").asString()).isEqualTo("invalid_grant");

        Http.Res bad = Http.form(base + "/auth/oauth/token", Map.of("grant_type", "refresh_token",
                "client_id", FreshBooksConfig.DEMO_CLIENT_ID, "client_secret", "wrong", "refresh_token", "x"));
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.json().get("error").asString()).isEqualTo("invalid_client");
    }

    @Test
    void createdUserCanAuthorizeWithoutBrowser() {
        SimUser u = sim.createUser("new@biz.example", "New Biz", "USD");
        String code = sim.mintAuthorizationCode(FreshBooksConfig.DEMO_CLIENT_ID, REDIRECT, null, u.identityId());
        JsonNode t = exchange(code).json();
        JsonNode me = Http.get(base + "/auth/api/v1/users/me", t.get("access_token").asString()).json();
        assertThat(me.at("/response/business_memberships/0/business/account_id").asString())
                .isEqualTo(u.memberships().get(0).business().accountId());
        assertThat(sim.store().accountIds()).contains(u.memberships().get(0).business().accountId());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
