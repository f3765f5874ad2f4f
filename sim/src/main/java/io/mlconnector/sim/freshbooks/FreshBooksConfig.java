package io.mlconnector.sim.freshbooks;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a {@link FreshBooksSimulator} starts from. {@link #demo()} gives the demo defaults; the
 * {@link Behaviour} switches choose between readings where the reference marks behaviour as unknown.
 */
public record FreshBooksConfig(long seed, List<OAuthApp> apps, List<SimUser> users, Behaviour behaviour) {

    public FreshBooksConfig {
        apps = List.copyOf(apps);
        users = List.copyOf(users);
    }

    /**
     * Switches. Defaults are the strict reading of the reference.
     *
     * @param accessTokenSeconds       {@code expires_in}; 43200 (12 h, DOC) or 43199 (observed)
     * @param refreshRevokesOldAccess  a refresh also kills the access token it replaces (3P: "a new pair invalidates earlier ones")
     * @param deletedGetReturns404     GET by id of a vis_state 1 record answers 404 errno 1012 instead of the record
     * @param signVerificationPost     put an HMAC header on the {@code callback.verify} POST too (unknown; default off)
     * @param resendNewVerifier        {@code resend} issues a fresh verifier instead of repeating the current one
     * @param requireHttpsCallbacks    reject non-https callback URIs (off so loopback receivers work)
     * @param newAccountingErrors      always answer accounting errors in the google.rpc format, not only with X-API-VERSION
     * @param systemUrl                the {@code system} field of verification POSTs (legacy site URL)
     */
    public record Behaviour(int accessTokenSeconds, boolean refreshRevokesOldAccess, boolean deletedGetReturns404,
                            boolean signVerificationPost, boolean resendNewVerifier, boolean requireHttpsCallbacks,
                            boolean newAccountingErrors, String systemUrl) {

        public static Behaviour strict() {
            return new Behaviour(43200, true, false, false, false, false, false, "https://acme.freshbooks.com");
        }

        public Behaviour withDeletedGetReturns404(boolean v) {
            return new Behaviour(accessTokenSeconds, refreshRevokesOldAccess, v, signVerificationPost,
                    resendNewVerifier, requireHttpsCallbacks, newAccountingErrors, systemUrl);
        }

        public Behaviour withAccessTokenSeconds(int v) {
            return new Behaviour(v, refreshRevokesOldAccess, deletedGetReturns404, signVerificationPost,
                    resendNewVerifier, requireHttpsCallbacks, newAccountingErrors, systemUrl);
        }

        public Behaviour withResendNewVerifier(boolean v) {
            return new Behaviour(accessTokenSeconds, refreshRevokesOldAccess, deletedGetReturns404, signVerificationPost,
                    v, requireHttpsCallbacks, newAccountingErrors, systemUrl);
        }
    }

    public static final String DEMO_CLIENT_ID = "mlc-demo-client";
    public static final String DEMO_CLIENT_SECRET = "mlc-demo-secret";
    public static final List<String> DEMO_REDIRECT_URIS = List.of(
            "http://localhost:8080/oauth/freshbooks/callback",
            "http://127.0.0.1:8080/oauth/freshbooks/callback",
            "https://localhost:8443/oauth/freshbooks/callback");

    /** The read scopes a connector needs (reference §2.7) plus the write scopes tests and the generator use. */
    public static List<String> allScopes() {
        List<String> scopes = new ArrayList<>(List.of("user:profile:read", "user:account:read", "user:business:read",
                "user:reports:read"));
        for (String object : List.of("invoices", "payments", "expenses", "clients", "bills", "bill_payments",
                "bill_vendors", "credit_notes", "other_income", "estimates", "billable_items", "taxes",
                "projects", "time_entries")) {
            scopes.add("user:" + object + ":read");
            scopes.add("user:" + object + ":write");
        }
        return List.copyOf(scopes);
    }

    public static final SimBusiness DEMO_ACME = new SimBusiness("ACM123", 439000,
            "046cc001-0002-e93e-1db1-1186b2983879", "Acme Ltd", "CAD");
    public static final SimBusiness DEMO_GLOBEX = new SimBusiness("GLX456", 439001,
            "7f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b", "Globex Corporation", "USD");

    /** The demo owner: identity 12345, owner of Acme (CAD) and Globex (USD), user id 1 in both. */
    public static final SimUser DEMO_OWNER = new SimUser(12345, "9d1c5a52-5b1e-4f0e-9a4e-2c3f1b6a7d80",
            "owner@acme.example", "Gordon", "Shumway",
            List.of(new Membership(140130, DEMO_ACME, 1, "owner"), new Membership(140131, DEMO_GLOBEX, 1, "owner")));

    public static FreshBooksConfig demo() {
        return new FreshBooksConfig(42L,
                List.of(new OAuthApp(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URIS, allScopes())),
                List.of(DEMO_OWNER), Behaviour.strict());
    }

    public FreshBooksConfig withSeed(long newSeed) {
        return new FreshBooksConfig(newSeed, apps, users, behaviour);
    }

    public FreshBooksConfig withBehaviour(Behaviour newBehaviour) {
        return new FreshBooksConfig(seed, apps, users, newBehaviour);
    }

    public FreshBooksConfig withApp(OAuthApp app) {
        List<OAuthApp> more = new ArrayList<>(apps);
        more.add(app);
        return new FreshBooksConfig(seed, more, users, behaviour);
    }
}
