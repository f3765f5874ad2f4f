package io.mlconnector.app;

import io.mlconnector.freshbooks.FreshBooksException;
import io.mlconnector.freshbooks.InvalidGrantException;

/**
 * Why the OAuth callback could not connect a business, said twice: for the person in the browser (what happened and
 * who fixes it) and for the log (the cause and the key). Neither carries a secret or a token: FreshBooks' error
 * descriptions name what was wrong, never the values sent (docs/security.md).
 *
 * @param status the HTTP status of the page (502: FreshBooks refused or did not answer; 400: the code is no good)
 */
record ConnectFailure(int status, String page, String log) {

    static final String SECRET_FIX = "check freshbooks.client-id and freshbooks.client-secret (the FreshBooks app's"
            + " Client Secret) in the connector's configuration, restart it, and ask for a new link";

    static ConnectFailure of(RuntimeException e) {
        if (e instanceof InvalidGrantException) {
            return new ConnectFailure(400, "FreshBooks did not accept the authorization code (it expired or was used"
                    + " already). Ask the connector's administrator for a new link (mlc connect freshbooks).",
                    "OAuth callback: FreshBooks refused the authorization code (" + e.getMessage() + "); the user needs a"
                            + " new link");
        }
        if (e instanceof FreshBooksException fb && fb.status() < 0) {
            return new ConnectFailure(502, "The connector could not reach FreshBooks to finish connecting. Its"
                    + " administrator should check freshbooks.api-base-url and the network, then send a new link.",
                    "OAuth callback: " + e.getMessage() + " — check freshbooks.api-base-url and the network");
        }
        if (e instanceof FreshBooksException fb && (fb.status() == 400 || fb.status() == 401)
                && e.getMessage() != null && e.getMessage().contains("token request refused")) {
            return new ConnectFailure(502, "FreshBooks refused the token exchange: the connector's FreshBooks app"
                    + " credentials are not accepted. Its administrator should " + SECRET_FIX + ".",
                    "OAuth callback: " + e.getMessage() + " — " + SECRET_FIX);
        }
        String cause = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new ConnectFailure(502, "The connector could not finish connecting the business. Its administrator finds"
                + " the cause in the connector's log; then ask for a new link.",
                "OAuth callback failed: " + e.getClass().getSimpleName() + ": " + cause);
    }
}
