package io.mlconnector.powerbi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * An SSL context that trusts the JVM's default CAs plus the certificates of one PEM file: for an
 * authority (the simulator, a TLS-inspecting proxy) whose certificate is not publicly trusted,
 * without replacing the JVM-wide trust store.
 */
public final class TrustedCertificates {

    private TrustedCertificates() {
    }

    public static SSLContext sslContextTrustingDefaultsAnd(Path pemFile) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (X509Certificate ca : defaultTrustManager().getAcceptedIssuers()) {
                trust.setCertificateEntry("default-" + n++, ca);
            }
            Collection<? extends Certificate> extra;
            try (InputStream in = Files.newInputStream(pemFile)) {
                extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (extra.isEmpty()) {
                throw new IllegalArgumentException("no certificate found in " + pemFile);
            }
            for (Certificate cert : extra) {
                trust.setCertificateEntry("extra-" + n++, cert);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read trusted certificate PEM " + pemFile + ": " + e.getMessage(), e);
        }
    }

    public static SSLSocketFactory socketFactoryTrustingDefaultsAnd(Path pemFile) {
        return sslContextTrustingDefaultsAnd(pemFile).getSocketFactory();
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JVM has no default X509 trust manager");
    }
}
