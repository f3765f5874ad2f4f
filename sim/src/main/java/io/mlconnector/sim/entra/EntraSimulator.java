package io.mlconnector.sim.entra;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson3;
import io.mlconnector.sim.common.FaultControl;
import io.mlconnector.sim.common.FaultInjector;
import io.mlconnector.sim.common.Json;
import io.mlconnector.sim.common.LocalhostCertificate;
import io.mlconnector.sim.common.Loopback;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Microsoft Entra ID, as far as a service principal getting Power BI tokens sees it (reference powerbi-api.md §1):
 * the v2.0 token endpoint (client credentials), instance discovery, OpenID metadata and the signing keys.
 * HTTPS only, with a certificate generated at start-up for localhost. Fault rules can be added and cleared over
 * HTTP at {@code /sim/faults} ({@link FaultControl}), which is never faulted itself.
 */
public final class EntraSimulator implements AutoCloseable {
    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(3599);

    private final Clock clock;
    private final FaultInjector faults;
    private final AppRegistry apps = new AppRegistry();
    private final AccessTokenIssuer issuer;
    private final ClientCredentialsGrant grant;
    private final LocalhostCertificate certificate;
    private Javalin server;

    public EntraSimulator(Clock clock, FaultInjector faults, Duration tokenLifetime) {
        this.clock = clock;
        this.faults = faults;
        this.issuer = new AccessTokenIssuer(clock);
        this.grant = new ClientCredentialsGrant(apps, issuer, tokenLifetime);
        this.certificate = LocalhostCertificate.generate(clock);
    }

    /** A simulator with the default token lifetime, no faults, and the demo app registered. */
    public static EntraSimulator withDemoApp(Clock clock) {
        EntraSimulator entra = new EntraSimulator(clock, new FaultInjector(clock, 0), DEFAULT_TOKEN_LIFETIME);
        entra.registerApp(RegisteredApp.DEMO);
        return entra;
    }

    public EntraSimulator registerApp(RegisteredApp app) {
        apps.register(app);
        return this;
    }

    /** Starts on {@code port} (0 = any free port) on loopback only. */
    public EntraSimulator start(int port) {
        return start(Loopback.HOST, port);
    }

    /** Starts on {@code bindHost} (e.g. 0.0.0.0 for every interface) and {@code port}; the certificate stays localhost's. */
    public synchronized EntraSimulator start(String bindHost, int port) {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        server = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson3(Json.MAPPER, false));
            cfg.jetty.addConnector((jetty, httpConfig) -> httpsConnector(jetty, httpConfig, bindHost, port));
            cfg.routes.before(faults.beforeHandler((status, message) ->
                    Json.MAPPER.writeValueAsString(new EntraError(status, status == 429 ? "temporarily_unavailable"
                            : "server_error", 90033, message).body(clock, UUID.randomUUID().toString()))));
            FaultControl faultControl = new FaultControl(faults); // /sim paths skip the before-handler
            cfg.routes.get(FaultControl.PATH, faultControl::list);
            cfg.routes.post(FaultControl.PATH, faultControl::add);
            cfg.routes.delete(FaultControl.PATH, faultControl::clear);
            cfg.routes.post("/{tenant}/oauth2/v2.0/token", this::token);
            cfg.routes.get("/common/discovery/instance", this::instanceDiscovery);
            cfg.routes.get("/{tenant}/v2.0/.well-known/openid-configuration", this::openIdConfiguration);
            cfg.routes.get("/{tenant}/discovery/v2.0/keys", ctx -> ctx.json(Map.of("keys",
                    List.of(new com.nimbusds.jose.jwk.RSAKey.Builder(issuer.publicKey()).build().toJSONObject()))));
        }).start();
        return this;
    }

    private ServerConnector httpsConnector(org.eclipse.jetty.server.Server jetty, HttpConfiguration httpConfig, String bindHost,
                                           int port) {
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(certificate.serverSslContext());
        HttpConfiguration https = new HttpConfiguration(httpConfig);
        https.addCustomizer(new SecureRequestCustomizer(false)); // no SNI check: clients send none for "localhost"
        ServerConnector connector = new ServerConnector(jetty,
                new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(https));
        connector.setHost(bindHost);
        connector.setPort(port);
        return connector;
    }

    private void token(Context ctx) {
        Map<String, String> form = new LinkedHashMap<>();
        ctx.formParamMap().forEach((name, values) -> form.put(name, values.isEmpty() ? null : values.get(0)));
        String correlationId = headerOr(ctx, "client-request-id", UUID.randomUUID().toString());
        if ("true".equalsIgnoreCase(ctx.header("return-client-request-id"))) {
            ctx.header("client-request-id", correlationId);
        }
        ctx.header("Cache-Control", "no-store, no-cache");
        ClientCredentialsGrant.Outcome outcome = grant.exchange(ctx.pathParam("tenant"), form, ctx.header("Authorization"));
        if (outcome instanceof ClientCredentialsGrant.Issued issued) {
            ctx.json(issued.body());
        } else if (outcome instanceof ClientCredentialsGrant.Refused refused) {
            ctx.status(refused.error().status()).json(refused.error().body(clock, correlationId));
        }
    }

    /**
     * What MSAL4J asks before its first token request (reference §1.2). MSAL 1.26 sends it to
     * login.microsoftonline.com for an unknown host, and falls back to defaults when that fails; a client that
     * reaches this simulator under a trusted name gets an answer naming this host as its own alias.
     */
    private void instanceDiscovery(Context ctx) {
        String authorizeEndpoint = ctx.queryParam("authorization_endpoint");
        java.net.URI uri = authorizeEndpoint == null ? null : java.net.URI.create(authorizeEndpoint);
        String host = uri == null || uri.getHost() == null ? "localhost" : uri.getHost();
        String hostAndPort = uri == null || uri.getPort() < 0 ? host : host + ":" + uri.getPort();
        String tenant = uri == null || uri.getPath().split("/").length < 2 ? "common" : uri.getPath().split("/")[1];
        Map<String, Object> metadata = Map.of("preferred_network", host, "preferred_cache", host,
                "aliases", List.of(host));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant_discovery_endpoint", "https://" + hostAndPort + "/" + tenant
                + "/v2.0/.well-known/openid-configuration");
        body.put("api-version", "1.1");
        body.put("metadata", List.of(metadata));
        ctx.json(body);
    }

    private void openIdConfiguration(Context ctx) {
        String tenant = ctx.pathParam("tenant");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_endpoint", tokenEndpoint(tenant));
        body.put("token_endpoint_auth_methods_supported", List.of("client_secret_post", "client_secret_basic"));
        body.put("jwks_uri", baseUrl() + "/" + tenant + "/discovery/v2.0/keys");
        body.put("issuer", "https://sts.windows.net/" + tenant + "/");
        body.put("grant_types_supported", List.of("client_credentials"));
        ctx.json(body);
    }

    private static String headerOr(Context ctx, String name, String fallback) {
        String value = ctx.header(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return server.port();
    }

    /** {@code https://localhost:{port}} */
    public String baseUrl() {
        return "https://localhost:" + port();
    }

    /** The MSAL authority for a tenant: {@code https://localhost:{port}/{tenant}/}. */
    public String authority(String tenantId) {
        return baseUrl() + "/" + tenantId + "/";
    }

    public String tokenEndpoint(String tenantId) {
        return baseUrl() + "/" + tenantId + "/oauth2/v2.0/token";
    }

    /** The TLS certificate in PEM form, so any client can trust it. */
    public String certificatePem() {
        return certificate.pem();
    }

    public X509Certificate certificate() {
        return certificate.certificate();
    }

    /** A client TLS context that trusts this simulator's certificate (for java.net.http and MSAL4J). */
    public SSLContext sslContextTrustingSelf() {
        return certificate.clientSslContextTrustingSelf();
    }

    /**
     * Validates tokens this simulator issued; {@link TokenValidator#validate(String)} judges expiry on this
     * simulator's clock. The Power BI simulator passes its own instant instead (see {@link TokenValidator}).
     */
    public TokenValidator tokenValidator() {
        return new TokenValidator(issuer.publicKey(), clock);
    }

    public AccessTokenIssuer issuer() {
        return issuer;
    }

    public FaultInjector faults() {
        return faults;
    }

    public List<RegisteredApp> apps() {
        return apps.all();
    }
}
