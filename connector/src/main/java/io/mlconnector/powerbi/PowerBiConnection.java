package io.mlconnector.powerbi;

import io.mlconnector.config.ConnectorConfig;
import io.mlconnector.mapping.DatasetModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;

/**
 * The Power BI side built from {@link ConnectorConfig.PowerBi}: the service and the {@code mlc dataset} commands
 * build it here, so both talk to the same REST root with the same credentials and trust.
 */
public record PowerBiConnection(PushDatasetClient client, DatasetProvisioner provisioner, DatasetModel model,
                                String workspaceId, PowerBiTokenSource tokens) {

    public static PowerBiConnection from(ConnectorConfig.PowerBi pbi, Clock clock) {
        return from(pbi, clock, io.mlconnector.metrics.TokenRefreshes.NONE);
    }

    /** @param refreshes told of each Entra ID token the client gets, or fails to get (metrics) */
    public static PowerBiConnection from(ConnectorConfig.PowerBi pbi, Clock clock, io.mlconnector.metrics.TokenRefreshes refreshes) {
        PowerBiTokenSource tokens = new CountingTokenSource(new MsalTokenSource(new MsalTokenSource.Settings(pbi.authorityHost(),
                pbi.tenantId(), pbi.clientId(), pbi.clientSecret(), pbi.trustedCertificatePem()), clock), refreshes);
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (pbi.trustedCertificatePem() != null) {
            http.sslContext(TrustedCertificates.sslContextTrustingDefaultsAnd(pbi.trustedCertificatePem()));
        }
        PushDatasetClient client = new PushDatasetClient(http.build(), restRoot(pbi.apiBaseUrl()), tokens,
                pbi.requestTimeout(), clock);
        return new PowerBiConnection(client, new DatasetProvisioner(client, RetentionPolicy.NONE, pbi.datasetId()),
                DatasetModel.freshBooks(pbi.datasetName()), pbi.workspaceId(), tokens);
    }

    /** The setting names the host; the client wants the REST root under it. */
    static URI restRoot(URI apiBaseUrl) {
        return URI.create(apiBaseUrl.toString().replaceAll("/+$", "") + "/v1.0/myorg");
    }
}
