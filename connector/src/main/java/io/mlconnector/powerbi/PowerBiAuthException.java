package io.mlconnector.powerbi;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entra ID refused or could not be asked for a Power BI token. The message names the AADSTS code
 * (when Entra sent one) and what to change; it never carries the secret or a token.
 */
public final class PowerBiAuthException extends RuntimeException {

    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d+)");

    /** Common client-credentials failures (powerbi-api.md §1.1) → the setting to fix. */
    private static final Map<String, String> FIXES = Map.of(
            "7000215", "invalid client secret: check powerbi.client-secret (use the secret's Value, not its Secret ID)",
            "7000222", "the client secret has expired: create a new one in the app registration and set powerbi.client-secret",
            "7000218", "no client secret was sent: set powerbi.client-secret",
            "700016", "application not found in this tenant: check powerbi.client-id and powerbi.tenant-id",
            "90002", "tenant not found: check powerbi.tenant-id",
            "900023", "tenant id is not valid: check powerbi.tenant-id",
            "70011", "invalid scope: the connector asks for https://analysis.windows.net/powerbi/api/.default; "
                    + "check powerbi.authority-host points at Entra ID");

    private final String aadstsCode;
    private final String errorCode;

    PowerBiAuthException(String message, String aadstsCode, String errorCode, Throwable cause) {
        super(message, cause);
        this.aadstsCode = aadstsCode;
        this.errorCode = errorCode;
    }

    /**
     * Builds the exception from what Entra said.
     *
     * @param errorCode   OAuth {@code error} field (e.g. {@code invalid_client}), may be null
     * @param description {@code error_description} (starts with "AADSTS…: "), may be null
     * @param status      HTTP status, or null when no response was received
     */
    static PowerBiAuthException fromEntra(String errorCode, String description, Integer status, Throwable cause) {
        String aadsts = null;
        if (description != null) {
            Matcher m = AADSTS.matcher(description);
            if (m.find()) {
                aadsts = m.group(1);
            }
        }
        StringBuilder message = new StringBuilder("Entra ID refused the Power BI token request");
        if (aadsts != null) {
            message.append(": AADSTS").append(aadsts);
        }
        if (errorCode != null) {
            message.append(" (").append(errorCode).append(status != null ? ", HTTP " + status : "").append(')');
        }
        String fix = aadsts != null ? FIXES.get(aadsts) : null;
        if (fix == null && "invalid_client".equals(errorCode)) {
            fix = "check powerbi.client-id and powerbi.client-secret";
        }
        if (fix == null && "unauthorized_client".equals(errorCode)) {
            fix = "check powerbi.client-id and powerbi.tenant-id";
        }
        message.append(" — ").append(fix != null ? fix : firstLine(description));
        return new PowerBiAuthException(message.toString(), aadsts, errorCode, cause);
    }

    public static PowerBiAuthException unreachable(String authority, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException || t instanceof java.security.cert.CertPathBuilderException) {
                return new PowerBiAuthException("could not get a Power BI token from " + authority + ": its TLS certificate"
                        + " is not trusted — set powerbi.trusted-certificate-pem to its CA certificate (a PEM file; mlc sim"
                        + " writes the Entra simulator's and prints its path)", null, null, cause);
            }
        }
        return new PowerBiAuthException("could not get a Power BI token from " + authority + ": " + cause
                + " — check powerbi.authority-host, the network, and powerbi.trusted-certificate-pem if the authority "
                + "uses a private certificate", null, null, cause);
    }

    public Optional<String> aadstsCode() {
        return Optional.ofNullable(aadstsCode);
    }

    public Optional<String> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    private static String firstLine(String text) {
        if (text == null || text.isBlank()) {
            return "see the Entra ID sign-in logs for this app";
        }
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.length() > 300 ? line.substring(0, 300) : line;
    }
}
