package org.protowrap.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.api.Decisions;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;
import org.protowrap.engine.config.ConfigException;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.TlsConfig;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.testing.Records;
import org.protowrap.engine.testing.TestCertificates;
import org.protowrap.engine.testing.TestCertificates.Issued;

/**
 * TLS terminated by the wrapper ({@code tls}, implicit mode) and spoken to backends
 * ({@code destTls}), through the {@code line} validator, with the JDK's own TLS on the other end.
 */
@Timeout(60)
class TlsEndToEndTest {

    /** keytool takes a second a call: one authority and its certificates serve every test. */
    @TempDir
    static Path certificates;

    private static TestCertificates ca;
    private static Issued localhost;
    private static Issued other;

    @TempDir
    Path dir;

    @BeforeAll
    static void issue() throws Exception {
        ca = TestCertificates.authority(certificates);
        localhost = ca.issue("localhost", List.of("localhost", "127.0.0.1"), "EC", 30);
        other = ca.issue("other", List.of("other.test"), "RSA", 30);
    }

    @Test
    void aTlsClientIsServedAndTheBackendSeesPlainText() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(config(backend.address(), tls(localhost)));
                SSLSocket client = tlsClient(server.address("w"), "localhost")) {
            assertEquals("hello over tls", exchange(client, "hello over tls"));
            assertEquals("TLSv1.3", client.getSession().getProtocol());
        }
    }

    @Test
    void aMegabyteEachWayArrivesIntactThroughTls() throws Exception {
        byte[] block = Traffic.block(7);
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(config(backend.address(), tls(localhost)));
                SSLSocket client = tlsClient(server.address("w"), "localhost")) {
            CompletableFuture<Traffic.Received> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return Traffic.receive(client.getInputStream());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Traffic.send(client.getOutputStream(), block, 16);
            client.shutdownOutput();
            Traffic.Received back = received.join();
            assertEquals(16L * Traffic.BLOCK, back.count());
            assertEquals(Traffic.digestOf(block, 16), back.sha256());
        }
    }

    @Test
    void theCertificateIsChosenByTheNameTheClientAsksFor() throws Exception {
        String twoCertificates = """
                tls:
                  certificates:
                    - {certificate: %s, key: %s}
                    - {certificate: %s, key: %s}
                """.formatted(localhost.certificate(), localhost.key(), other.certificate(), other.key());
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(config(backend.address(), twoCertificates))) {
            try (SSLSocket client = tlsClient(server.address("w"), "other.test")) {
                assertEquals("b", exchange(client, "b"));
                assertEquals(TestCertificates.leaf(other), presented(client));
            }
            try (SSLSocket client = tlsClient(server.address("w"), "localhost")) {
                assertEquals("a", exchange(client, "a"));
                assertEquals(TestCertificates.leaf(localhost), presented(client));
            }
        }
    }

    @Test
    void oldTlsVersionsAreRefused() throws Exception {
        try (TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(config(backend.address(), tls(localhost)))) {
            SSLSocket client = (SSLSocket) ca.clientContext().getSocketFactory().createSocket(
                    server.address("w").getAddress(), server.address("w").getPort());
            client.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThrows(SSLException.class, client::startHandshake);
            client.close();
        }
    }

    @Test
    void aClientThatDoesNotSpeakTlsIsCutAndLogged() throws Exception {
        try (LogCapture logs = new LogCapture();
                TestBackend backend = TestBackend.echo();
                RunningServer server = RunningServer.start(config(backend.address(), tls(localhost)));
                Socket plain = Traffic.connect(server.address("w"))) {
            Traffic.write(plain, "GET / HTTP/1.0\r\n\r\n");
            Traffic.readToEnd(plain);
            RelayEndToEndTest.awaitTrue(() -> logs.messages().stream().anyMatch(m -> m.contains("outcome=tls-failed")));
            assertTrue(logs.messages().stream().anyMatch(m -> m.contains("TLS with the client failed")),
                    () -> String.join("\n", logs.messages()));
            assertEquals(0, backend.accepted());
        }
    }

    @Test
    void aBackendSpokenToOverTlsWithItsCertificateVerified() throws Exception {
        try (TlsEchoServer backend = new TlsEchoServer(TestCertificates.serverContext(localhost));
                RunningServer server = RunningServer.start(config(backend.address(),
                        "destTls: {ca: %s, serverName: localhost}\n".formatted(ca.caFile())));
                Socket client = Traffic.connect(server.address("w"))) {
            assertEquals("to a tls backend", exchange(client, "to a tls backend"));
        }
    }

    @Test
    void aBackendWhoseCertificateIsForAnotherNameIsNotUsed() throws Exception {
        try (LogCapture logs = new LogCapture();
                TlsEchoServer backend = new TlsEchoServer(TestCertificates.serverContext(localhost));
                RunningServer server = RunningServer.start(config(backend.address(),
                        "destTls: {ca: %s, serverName: wrong.example}\n".formatted(ca.caFile())));
                Socket client = Traffic.connect(server.address("w"))) {
            Traffic.write(client, "anyone?\n");
            assertEquals("", Traffic.readToEnd(client));
            assertTrue(logs.messages().stream().anyMatch(m -> m.contains("failed") && m.contains("wrong.example")),
                    () -> String.join("\n", logs.messages()));
        }
    }

    @Test
    void startTlsHandshakesAfterTheSessionsReplyAndTheSessionGoesOnInsideTls() throws Exception {
        try (TestBackend backend = TestBackend.echo(); RunningServer server = startTlsServer(backend);
                Socket plain = Traffic.connect(server.address("w"))) {
            assertEquals("plain", exchange(plain, "plain"));
            assertEquals("go ahead", exchange(plain, "STARTTLS"));
            SSLSocket client = (SSLSocket) ca.clientContext().getSocketFactory().createSocket(plain, "localhost",
                    server.address("w").getPort(), true);
            client.startHandshake();
            assertEquals("inside tls", exchange(client, "inside tls"));
            assertEquals(TestCertificates.leaf(localhost), presented(client));
            assertEquals("already", exchange(client, "STARTTLS"));
            client.close();
        }
    }

    @Test
    void bytesPipelinedAfterStartTlsNeverReachTheSessionAsIfFromInsideTls() throws Exception {
        try (TestBackend backend = TestBackend.echo(); RunningServer server = startTlsServer(backend);
                Socket plain = Traffic.connect(server.address("w"))) {
            Traffic.write(plain, "STARTTLS\ninjected\n");
            assertEquals("injection refused\n", Traffic.readToEnd(plain));
        }
    }

    @Test
    void startTlsModeIsRefusedForAValidatorWithoutSuchACommand() throws Exception {
        Path file = config("127.0.0.1:9", tls(localhost).replace("}", ", mode: starttls}"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.forHome(dir).load(file));
        assertTrue(e.problems().toString().contains("wrappers[0].tls.mode: starttls: the line validator has no command"),
                e.problems().toString());
    }

    /** A wrapper whose validator answers STARTTLS itself, before TLS only: a line protocol that upper-cases nothing. */
    private RunningServer startTlsServer(TestBackend backend) throws Exception {
        Configuration loaded = ConfigLoader.forHome(dir).load(config(backend.address(), tls(localhost)));
        Wrapper w = loaded.wrappers().getFirst();
        TlsConfig.Client implicit = w.config().tls().orElseThrow();
        WrapperConfig starttls = Records.with(w.config(), "tls", Optional.of(new TlsConfig.Client(implicit.certificates(),
                TlsConfig.Mode.STARTTLS, implicit.protocols(), implicit.ciphers(), implicit.fingerprint())));
        Wrapper scripted = new Wrapper(starttls, new StartTlsLines(), w.balancing(), w.clientTls(), w.backendTls());
        return RunningServer.start(new Configuration(loaded.settings(), List.of(scripted), loaded.registry()), dir);
    }

    /** Lines go to the server, except STARTTLS, answered here once; lines that follow it in the same read are refused. */
    private static final class StartTlsLines implements Validator {
        @Override
        public ValidatorSession newSession(SessionInfo session) {
            return new ValidatorSession() {
                private boolean tls;

                @Override
                public void onClientData(ByteBuffer data, Decisions out) {
                    String text = StandardCharsets.UTF_8.decode(data.duplicate()).toString();
                    if (!text.startsWith("STARTTLS\n")) {
                        out.sendToServer(data);
                    } else if (tls) {
                        out.sendToClient(ByteBuffer.wrap("already\n".getBytes(StandardCharsets.UTF_8)));
                    } else if (text.length() > "STARTTLS\n".length()) {
                        out.sendToClient(ByteBuffer.wrap("injection refused\n".getBytes(StandardCharsets.UTF_8)));
                        out.close();
                    } else {
                        tls = true;
                        out.sendToClient(ByteBuffer.wrap("go ahead\n".getBytes(StandardCharsets.UTF_8)));
                        out.startTls();
                    }
                    data.position(data.limit());
                }

                @Override
                public void onServerData(ByteBuffer data, Decisions out) {
                    out.sendToClient(data);
                }
            };
        }

        @Override
        public Optional<byte[]> refusal(Refusal reason) {
            return Optional.empty();
        }

        @Override
        public boolean serverSpeaksFirst() {
            return false;
        }

        @Override
        public boolean startsTls() {
            return true;
        }
    }

    private static String tls(Issued issued) {
        return "tls: {certificate: %s, key: %s}\n".formatted(issued.certificate(), issued.key());
    }

    private Path config(String backend, String extra) throws IOException {
        return TestConfig.write(dir, TestConfig.lineWrapper(TestConfig.freePort(), backend, extra));
    }

    private SSLSocket tlsClient(InetSocketAddress address, String serverName) throws Exception {
        SSLContext context = ca.clientContext();
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(address.getAddress(), address.getPort());
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        return socket;
    }

    private static Certificate presented(SSLSocket socket) throws Exception {
        return socket.getSession().getPeerCertificates()[0];
    }

    private static String exchange(Socket client, String line) throws IOException {
        OutputStream out = client.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return TestBackend.reader(client).readLine();
    }

    /** A TLS server that echoes each connection's bytes, on a virtual thread per connection. */
    private static final class TlsEchoServer implements AutoCloseable {
        private final SSLServerSocket server;

        TlsEchoServer(SSLContext context) throws IOException {
            server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                    java.net.InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(this::accept);
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (socket; InputStream in = socket.getInputStream()) {
                            in.transferTo(socket.getOutputStream());
                        } catch (IOException e) {
                            // the test sees what arrived
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
