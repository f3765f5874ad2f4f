package io.mlconnector.powerbi;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Power BI tokens for a service principal via MSAL4J client credentials (powerbi-api.md §1.2).
 *
 * <p>One {@link ConfidentialClientApplication} lives as long as this object (MSAL's connection
 * settings and metadata live in it). Refresh policy: we hold the last result and fetch a new token
 * once 90 % of its life has passed on the injected {@link Clock}, asking MSAL with
 * {@code skipCache(true)}. MSAL's own cache would also renew early (1.26.0
 * {@code TokenCache.MIN_ACCESS_TOKEN_EXPIRE_IN_SEC = 300}, checked with javap), but it reads the
 * system clock, so expiry could not be tested without waiting, and its 5-minute margin is larger
 * than a short-lived token's whole life. MSAL stamps {@code expiresOn} with the system clock, so the
 * token's lifetime is measured against the system clock at acquisition and then laid on ours.
 */
public final class MsalTokenSource implements PowerBiTokenSource {

    public static final String POWER_BI_SCOPE = "https://analysis.windows.net/powerbi/api/.default";
    public static final URI MICROSOFT_AUTHORITY_HOST = URI.create("https://login.microsoftonline.com");

    /** Entra ID's public and national cloud hosts: MSAL's instance discovery knows these. */
    private static final Set<String> MICROSOFT_HOSTS = Set.of(
            "login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
            "login.microsoftonline.us", "login.chinacloudapi.cn", "login.partner.microsoftonline.cn",
            "login.microsoftonline.de");

    private static final Logger LOG = LoggerFactory.getLogger(MsalTokenSource.class);

    /**
     * @param authorityHost             e.g. {@code https://login.microsoftonline.com} (https only: MSAL refuses http)
     * @param tenantId                  Entra tenant id or verified domain
     * @param extraTrustedCertificatePem optional PEM file trusted in addition to the JVM's CAs (null for none)
     */
    public record Settings(URI authorityHost, String tenantId, String clientId, String clientSecret,
                           Path extraTrustedCertificatePem) {
        public Settings {
            Objects.requireNonNull(authorityHost, "authorityHost");
            Objects.requireNonNull(tenantId, "tenantId");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
        }

        @Override
        public String toString() { // never print the secret
            return "Settings[authorityHost=" + authorityHost + ", tenantId=" + tenantId + ", clientId=" + clientId
                    + ", clientSecret=***, extraTrustedCertificatePem=" + extraTrustedCertificatePem + "]";
        }
    }

    private final ConfidentialClientApplication app;
    private final ClientCredentialParameters parameters;
    private final String authority;
    private final Clock clock;

    private String token;
    private Instant refreshAt = Instant.MIN;

    public MsalTokenSource(Settings settings, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        String host = settings.authorityHost().toString().replaceAll("/+$", "");
        this.authority = host + "/" + settings.tenantId() + "/";
        try {
            ConfidentialClientApplication.Builder builder = ConfidentialClientApplication
                    .builder(settings.clientId(), ClientCredentialFactory.createFromSecret(settings.clientSecret()))
                    .authority(authority)
                    // MSAL asks login.microsoftonline.com about every authority before its first token
                    // request, even for a host it does not know; for a simulator or private authority
                    // that call cannot succeed, so only Microsoft's own hosts get discovery.
                    .instanceDiscovery(isMicrosoftHost(settings.authorityHost()));
            if (settings.extraTrustedCertificatePem() != null) {
                builder.sslSocketFactory(
                        TrustedCertificates.socketFactoryTrustingDefaultsAnd(settings.extraTrustedCertificatePem()));
            }
            this.app = builder.build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid Power BI authority " + authority + ": " + e.getMessage()
                    + " (check powerbi.authority-host and powerbi.tenant-id; the host must be https)", e);
        }
        this.parameters = ClientCredentialParameters.builder(Set.of(POWER_BI_SCOPE)).skipCache(true).build();
    }

    static boolean isMicrosoftHost(URI authorityHost) {
        String host = authorityHost.getHost();
        return host != null && MICROSOFT_HOSTS.contains(host.toLowerCase(Locale.ROOT));
    }

    @Override
    public synchronized String accessToken() {
        Instant now = clock.instant();
        if (token != null && now.isBefore(refreshAt)) {
            return token;
        }
        IAuthenticationResult result = acquire();
        Duration life = Duration.between(Instant.now(), result.expiresOnDate().toInstant());
        if (life.isNegative()) {
            life = Duration.ZERO;
        }
        token = result.accessToken();
        refreshAt = now.plus(life.multipliedBy(9).dividedBy(10));
        LOG.info("acquired a Power BI token from {} valid for {}; next refresh at {}", authority, life, refreshAt);
        return token;
    }

    @Override
    public synchronized void invalidate() {
        token = null;
        refreshAt = Instant.MIN;
    }

    private IAuthenticationResult acquire() {
        try {
            return app.acquireToken(parameters).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PowerBiAuthException.unreachable(authority, e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof MsalServiceException service) {
                throw PowerBiAuthException.fromEntra(service.errorCode(), service.getMessage(), service.statusCode(), service);
            }
            throw PowerBiAuthException.unreachable(authority, cause);
        } catch (RuntimeException e) {
            throw PowerBiAuthException.unreachable(authority, e);
        }
    }
}
