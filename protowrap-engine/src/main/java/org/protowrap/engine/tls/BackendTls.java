package org.protowrap.engine.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A wrapper's TLS towards its backends ({@code destTls}): the certificate authorities trusted
 * (the file {@code ca}, or the JDK's own), the name the backends' certificates must carry
 * ({@code serverName}, else the backend's host) and offer in SNI, or no verification at all
 * ({@code verify: false}, for tests and trusted networks only).
 */
public final class BackendTls {

    private final SSLContext context;
    private final boolean verify;
    private final Optional<String> serverName;

    private BackendTls(SSLContext context, boolean verify, Optional<String> serverName) {
        this.context = context;
        this.verify = verify;
        this.serverName = serverName;
    }

    public static BackendTls load(boolean verify, Optional<Path> ca, Optional<String> serverName)
            throws IOException, TlsFileException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, verify ? trusting(ca) : new TrustManager[] {TrustEverything.INSTANCE}, null);
            return new BackendTls(context, verify, serverName);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS is not usable", e);
        }
    }

    private static TrustManager[] trusting(Optional<Path> ca) throws IOException, TlsFileException,
            GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (ca.isEmpty()) {
            factory.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<X509Certificate> authorities = PemFiles.certificates(ca.get());
            for (int i = 0; i < authorities.size(); i++) {
                store.setCertificateEntry("ca" + i, authorities.get(i));
            }
            factory.init(store);
        }
        return factory.getTrustManagers();
    }

    /** A client-side engine for one connection to the backend at {@code host}. */
    public SSLEngine newEngine(String host, int port) {
        String name = serverName.orElse(host);
        SSLEngine engine = context.createSSLEngine(name, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(TlsDefaults.PROTOCOLS.toArray(String[]::new));
        if (!isIpLiteral(name)) {
            parameters.setServerNames(List.of(new SNIHostName(name)));
        }
        if (verify) {
            // the certificate must be for the name: the check HTTPS clients make
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    /** {@code verify: false}: any certificate is accepted. */
    private enum TrustEverything implements X509TrustManager {
        INSTANCE;

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
