package io.mlconnector.powerbi;

/** Where the Power BI client gets its bearer token (Entra ID client credentials in production). */
public interface PowerBiTokenSource {

    /** A currently valid access token. Throws {@link PowerBiAuthException} when none can be had. */
    String accessToken();

    /** The service said the last token expired ({@code TokenExpired}): the next call must fetch a new one. */
    default void invalidate() {
    }
}
