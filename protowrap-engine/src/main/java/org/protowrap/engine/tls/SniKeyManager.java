package org.protowrap.engine.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;

/**
 * The server's certificates, chosen by the name the client asks for (SNI): the first certificate
 * whose names (DNS subject alternative names, or the common name when it has none; {@code *.}
 * covers one label) match and whose key suits the handshake; when none is for the name (or the
 * client sends none), the first whose key suits it, so such a client gets the first certificate
 * configured.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

    /** One certificate chain with its key, and the host names it is for. */
    record Entry(String alias, X509Certificate[] chain, PrivateKey key, List<String> names) {

        static Entry of(String alias, List<X509Certificate> chain, PrivateKey key) {
            return new Entry(alias, chain.toArray(X509Certificate[]::new), key, namesOf(chain.getFirst()));
        }

        boolean serves(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            for (String name : names) {
                if (name.equals(h) || name.startsWith("*.") && h.indexOf('.') > 0
                        && h.substring(h.indexOf('.')).equals(name.substring(1))) {
                    return true;
                }
            }
            return false;
        }

        boolean suits(String keyType) {
            // the JDK asks for "RSA", "EC", "EdDSA", "RSASSA-PSS", or TLS 1.2 forms such as "EC_EC"
            String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
            return wanted.equals(key.getAlgorithm()) || wanted.equals("EdDSA") && key.getAlgorithm().equals("Ed25519");
        }
    }

    private final List<Entry> entries;

    SniKeyManager(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    List<Entry> entries() {
        return entries;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Optional<String> host = requestedHost(engine.getHandshakeSession());
        // the JDK asks once per key type the client accepts, in the client's order: a certificate
        // for the name is preferred whatever its key type, so the others are declined while one exists
        List<Entry> candidates = host.map(h -> entries.stream().filter(e -> e.serves(h)).toList())
                .filter(forName -> !forName.isEmpty())
                .orElse(entries);
        return candidates.stream().filter(e -> e.suits(keyType)).findFirst().map(Entry::alias).orElse(null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return entries.stream().filter(e -> e.suits(keyType)).findFirst().map(Entry::alias).orElse(null);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return entries.stream().filter(e -> e.alias().equals(alias)).findFirst().map(e -> e.chain().clone()).orElse(null);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return entries.stream().filter(e -> e.alias().equals(alias)).findFirst().map(Entry::key).orElse(null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return entries.stream().filter(e -> e.suits(keyType)).map(Entry::alias).toArray(String[]::new);
    }

    // a server presents certificates; it never authenticates as a client

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    private static Optional<String> requestedHost(SSLSession handshake) {
        if (handshake instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name.getType() == StandardConstants.SNI_HOST_NAME && name instanceof SNIHostName host) {
                    return Optional.of(host.getAsciiName());
                }
            }
        }
        return Optional.empty();
    }

    /** The DNS names of a certificate's subject alternative names, or its common name if it has none. */
    static List<String> namesOf(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> entry : alternatives) {
                    if (Integer.valueOf(2).equals(entry.get(0))) {
                        names.add(entry.get(1).toString().toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable alternative names: the common name below
        }
        if (names.isEmpty()) {
            String dn = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
            for (String part : dn.split(",")) {
                if (part.startsWith("CN=")) {
                    names.add(part.substring(3).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }
}
