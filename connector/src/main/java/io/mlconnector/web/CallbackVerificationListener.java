package io.mlconnector.web;

/**
 * Told when FreshBooks' callback.verify message has been stored, so the registrar can PUT the verifier back
 * (freshbooks-api.md §3.3 step 3) and then mark the callback verified. Called on a background executor after
 * the 200 was decided; it may be called again for the same token if FreshBooks resends the verification.
 */
@FunctionalInterface
public interface CallbackVerificationListener {

    void verifierReceived(String uriToken);
}
