package org.protowrap.engine.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.protowrap.api.ClientTls;
import org.protowrap.api.MapOptions;
import org.protowrap.engine.tls.BackendTls;
import org.protowrap.engine.tls.ServerTls;
import org.protowrap.engine.tls.ServerTls.CertificateFiles;
import org.protowrap.engine.tls.TlsDefaults;
import org.protowrap.engine.tls.TlsFileException;

/**
 * Reads a wrapper's {@code tls:} and {@code destTls:} sections and loads what they name, so that
 * a file that cannot be used is a configuration problem with its location, found by
 * {@code check} as by {@code run}. Relative file names are resolved against the configuration
 * file's folder. Certificates that expire within {@value #EXPIRY_WARNING_DAYS} days and key files
 * that others may read are warnings.
 */
final class TlsSections {

    static final int EXPIRY_WARNING_DAYS = 14;
    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    private final Path base;
    private final List<String> warnings;

    /** @param base the folder of the configuration file */
    TlsSections(Path base, List<String> warnings) {
        this.base = base;
        this.warnings = warnings;
    }

    /** What {@code tls:} loads to: its settings and the server side ready to use. */
    record LoadedClient(TlsConfig.Client config, ServerTls tls) {}

    /** What {@code destTls:} loads to. */
    record LoadedBackend(TlsConfig.Backend config, BackendTls tls) {}

    /**
     * What the validator is told of {@code tls:} before the section is read whole (ALPN comes from
     * the validator): its mode as written, the default being implicit. A wrong mode is reported
     * when the section is read.
     */
    static ClientTls requested(MapOptions w) {
        if (!(w.raw("tls") instanceof Map<?, ?> tls)) {
            return ClientTls.NONE;
        }
        return "starttls".equals(tls.get("mode")) ? ClientTls.STARTTLS : ClientTls.IMPLICIT;
    }

    /** @param wrapper the wrapper's name, for warnings */
    Optional<LoadedClient> client(String wrapper, MapOptions w, List<String> applicationProtocols) {
        if (w.raw("tls") == null) {
            return Optional.empty();
        }
        MapOptions t = ConfigKeys.TLS_SECTION.declare(w.section("tls"));
        List<CertificateFiles> files = certificateFiles(t);
        TlsConfig.Mode mode = ConfigKeys.TLS_MODE.choice(t, TlsConfig.Mode.class);
        List<String> protocols = t.has("protocols") ? t.strings("protocols") : TlsDefaults.PROTOCOLS;
        for (String p : protocols) {
            if (!KNOWN_PROTOCOLS.contains(p)) {
                t.problem("protocols", "\"" + p + "\" is not offered; valid: TLSv1.3, TLSv1.2 (older versions are "
                        + "insecure and refused)");
            }
        }
        List<String> ciphers = t.has("ciphers") ? t.strings("ciphers") : TlsDefaults.CIPHERS;
        // with a problem above the configuration is refused anyway; loading the files finds more
        if (files.isEmpty()) {
            return Optional.empty();
        }
        try {
            ServerTls tls = ServerTls.load(files, protocols, ciphers, applicationProtocols);
            checkExpiry(wrapper, tls.chains());
            files.forEach(f -> checkKeyPermissions(wrapper, f.key()));
            List<Path> all = files.stream().flatMap(f -> Stream.of(f.certificate(), f.key())).toList();
            return Optional.of(new LoadedClient(new TlsConfig.Client(files, mode, List.copyOf(protocols),
                    List.copyOf(ciphers), fingerprint(all)), tls));
        } catch (TlsFileException e) {
            t.problem(keyOf(t, files, e.file()), e.getMessage());
        } catch (IOException e) {
            t.problem("certificate", readError(e));
        }
        return Optional.empty();
    }

    Optional<LoadedBackend> backend(MapOptions w) {
        if (w.raw("destTls") == null) {
            return Optional.empty();
        }
        MapOptions d = ConfigKeys.DEST_TLS_SECTION.declare(w.section("destTls"));
        boolean verify = ConfigKeys.DEST_TLS_VERIFY.bool(d);
        Optional<Path> ca = Optional.ofNullable(ConfigKeys.DEST_TLS_CA.string(d)).map(base::resolve);
        Optional<String> serverName = Optional.ofNullable(ConfigKeys.DEST_TLS_SERVER_NAME.string(d));
        try {
            BackendTls tls = BackendTls.load(verify, ca, serverName);
            return Optional.of(new LoadedBackend(new TlsConfig.Backend(verify, ca, serverName,
                    fingerprint(ca.stream().toList())), tls));
        } catch (TlsFileException e) {
            d.problem("ca", e.getMessage());
        } catch (IOException e) {
            d.problem("ca", readError(e));
        }
        return Optional.empty();
    }

    /** The key the faulty file was given under: {@code key} for a private key, else {@code certificate} (or the list). */
    private static String keyOf(MapOptions t, List<CertificateFiles> files, Path faulty) {
        if (t.has("certificates")) {
            return "certificates";
        }
        return files.stream().anyMatch(f -> f.key().equals(faulty)) ? "key" : "certificate";
    }

    /** {@code certificate} and {@code key}, or a list {@code certificates: [{certificate, key}]}, not both. */
    private List<CertificateFiles> certificateFiles(MapOptions t) {
        List<CertificateFiles> files = new ArrayList<>();
        Object list = t.raw("certificates");
        if (list != null) {
            if (t.has("certificate") || t.has("key")) {
                t.problem("certificates", "give either certificate and key, or certificates: [{certificate, key}], "
                        + "not both");
            }
            if (!(list instanceof List<?> entries) || entries.isEmpty()) {
                t.problem("certificates", "must be a list of {certificate, key}");
                return files;
            }
            for (int i = 0; i < entries.size(); i++) {
                String path = t.pathOf("certificates") + "[" + i + "]";
                if (entries.get(i) instanceof Map<?, ?> map) {
                    pair(t.sibling(MapOptions.stringKeys(map), path)).ifPresent(files::add);
                } else {
                    t.problemAt(path, "must be a map with certificate and key");
                }
            }
            return files;
        }
        pair(t).ifPresent(files::add);
        return files;
    }

    private Optional<CertificateFiles> pair(MapOptions m) {
        String certificate = (String) m.required("certificate");
        String key = (String) m.required("key");
        if (certificate == null || key == null) {
            return Optional.empty();
        }
        return Optional.of(new CertificateFiles(base.resolve(certificate), base.resolve(key)));
    }

    private void checkExpiry(String wrapper, List<List<X509Certificate>> chains) {
        Instant soon = Instant.now().plus(Duration.ofDays(EXPIRY_WARNING_DAYS));
        for (List<X509Certificate> chain : chains) {
            X509Certificate leaf = chain.getFirst();
            Instant notAfter = leaf.getNotAfter().toInstant();
            if (notAfter.isBefore(Instant.now())) {
                warnings.add(wrapper + ".tls: the certificate for " + leaf.getSubjectX500Principal().getName()
                        + " expired on " + notAfter);
            } else if (notAfter.isBefore(soon)) {
                warnings.add(wrapper + ".tls: the certificate for " + leaf.getSubjectX500Principal().getName()
                        + " expires on " + notAfter + ", within " + EXPIRY_WARNING_DAYS + " days");
            }
        }
    }

    private void checkKeyPermissions(String wrapper, Path key) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(key);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.add(wrapper + ".tls: the key file " + key + " is readable by every user (chmod 600 or 640)");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to say
        }
    }

    private static String fingerprint(List<Path> files) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                digest.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readError(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> n.getFile() + ": no such file";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            default -> "cannot be read: " + e.getMessage();
        };
    }
}
