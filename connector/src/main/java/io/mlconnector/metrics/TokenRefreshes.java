package io.mlconnector.metrics;

/**
 * Told of each token refresh a token holder makes (FreshBooks grants, the Entra ID token for Power BI), so the
 * metric {@code token_refreshes_total} counts them without the holders knowing about meters.
 */
public interface TokenRefreshes {
    void refreshed();

    void failed();

    TokenRefreshes NONE = new TokenRefreshes() {
        @Override
        public void refreshed() {
        }

        @Override
        public void failed() {
        }
    };
}
