package io.mlconnector.powerbi;

import io.mlconnector.metrics.TokenRefreshes;
import java.util.Objects;

/**
 * A token source that tells {@link TokenRefreshes} when its delegate hands out a new token (a refresh at Entra ID)
 * or fails to get one. The delegate caches; a token different from the last one means it asked Entra ID.
 */
public final class CountingTokenSource implements PowerBiTokenSource {
    private final PowerBiTokenSource delegate;
    private final TokenRefreshes refreshes;
    private volatile String last;

    public CountingTokenSource(PowerBiTokenSource delegate, TokenRefreshes refreshes) {
        this.delegate = delegate;
        this.refreshes = refreshes;
    }

    @Override
    public String accessToken() {
        String token;
        try {
            token = delegate.accessToken();
        } catch (RuntimeException e) {
            refreshes.failed();
            throw e;
        }
        if (!Objects.equals(token, last)) {
            last = token;
            refreshes.refreshed();
        }
        return token;
    }

    @Override
    public void invalidate() {
        delegate.invalidate();
    }
}
