package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.Certificates;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.SystemPackages;
import io.ballast.it.harness.TestCluster;
import io.ballast.protocol.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nodes with {@code --tls-cert} and {@code --tls-key} face clients with TLS 1.2 or 1.3 only, HTTP/2 by ALPN, and
 * forward to each other over TLS; a renewed pair on disk reaches new connections within seconds; what is not TLS,
 * or too old, or silent, is closed. Certificates come from a CA made for the test.
 */
class TlsIT {

    private static final Duration START_LIMIT = Duration.ofSeconds(90);
    private static final Duration EXIT_LIMIT = Duration.ofSeconds(30);
    private static final Duration ROTATION_LIMIT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private final Certificates ca = new Certificates();

    /** A node of its own cluster, with a certificate for its address and {@code more} options. */
    private NodeSpec tlsNode(String... more) {
        NodeSpec spec = cluster.newNode();
        return spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)))
                .withArgs(ca.issue(cluster.logDir(), spec.name(), List.of(spec.bind())).args())
                .withArgs(more);
    }

    @Test
    void threeTlsNodesServeHttpsAndHttp2AndForwardToEachOtherOverTls() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = cluster.startAll(specs.stream()
                .map(spec -> spec.withDiscovery(discovery)
                        .withArgs(ca.issue(cluster.logDir(), spec.name(), List.of(spec.bind())).args())
                        .withArgs("--balance", "always", "--strategy", "round-robin"))
                .toList());
        // the view's URLs are the nodes' https ones: that is what each node forwards to
        cluster.awaitOneView(START_LIMIT, nodes);

        HttpClient http11 = client(HttpClient.Version.HTTP_1_1);
        HttpClient http2 = client(HttpClient.Version.HTTP_2);
        for (NodeProcess node : nodes) {
            HttpResponse<String> hello = get(http11, node.url() + "/_ballast/health/ready");
            assertEquals(200, hello.statusCode(), node.name() + ": " + hello.body());
            assertEquals(HttpClient.Version.HTTP_1_1, hello.version());
            HttpResponse<String> overH2 = get(http2, node.url() + "/hello");
            assertEquals(200, overH2.statusCode(), node.name() + ": " + overH2.body());
            assertEquals(HttpClient.Version.HTTP_2, overH2.version(), node.name() + " negotiates h2 by ALPN");
        }

        // round robin over three members: of a few requests to the first node, some are forwarded over TLS
        NodeProcess entry = nodes.get(0);
        List<String> seen = new ArrayList<>();
        for (HttpClient client : List.of(http11, http2)) {
            HttpResponse<String> forwarded = null;
            for (int i = 0; i < 12 && forwarded == null; i++) {
                HttpResponse<String> response = get(client, entry.url() + "/headers");
                assertEquals(200, response.statusCode(), response.body());
                seen.add(response.version() + " " + response.headers().firstValue("X-Served-By").orElse("?"));
                if (response.headers().firstValue("Via").isPresent()) {
                    forwarded = response;
                }
            }
            assertTrue(forwarded != null, "a forward among " + seen + "\n" + cluster.describe());
            assertNotEquals(entry.name(), forwarded.headers().firstValue("X-Served-By").orElseThrow());
            assertEquals(client.version(), forwarded.version());
            Map<?, ?> headers = (Map<?, ?>) Json.read(forwarded.body(), Map.class).get("headers");
            assertEquals(List.of("https"), headers.get("x-forwarded-proto"), "the application behind the forward "
                    + "learns the client came over TLS: " + headers);
        }

        Path curl = SystemPackages.require("curl", "curl");
        Path caFile = ca.writeCa(cluster.logDir().resolve("ca.pem"));
        for (NodeProcess node : nodes) {
            List<String> out = run(curl.toString(), "-sS", "--http2", "--cacert", caFile.toString(), "-o",
                    "/dev/null", "-w", "%{http_version} %{http_code}", node.url() + "/hello");
            assertEquals(List.of("2 200"), out, "curl --http2 to " + node.name());
        }
    }

    @Test
    void aPeerWhoseCertificateTheNodeDoesNotTrustGetsNoForward() throws Exception {
        Certificates stranger = new Certificates();
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        NodeSpec first = specs.get(0).withDiscovery(discovery)
                .withArgs(ca.issue(cluster.logDir(), "n1", List.of(specs.get(0).bind())).args())
                .withArgs("--balance", "always", "--strategy", "round-robin");
        NodeSpec second = specs.get(1).withDiscovery(discovery)
                .withArgs(stranger.issue(cluster.logDir(), "n2", List.of(specs.get(1).bind())).args())
                .withArgs("--balance", "always", "--strategy", "round-robin");
        List<NodeProcess> nodes = cluster.startAll(List.of(first, second));
        cluster.awaitOneView(START_LIMIT, nodes);

        // n1 trusts its own chain's CA only: every forward to n2 fails its handshake, and n1 serves the request
        HttpClient client = client(HttpClient.Version.HTTP_1_1);
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = get(client, nodes.get(0).url() + "/hello");
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("n1", response.headers().firstValue("X-Served-By").orElseThrow());
            assertTrue(response.headers().firstValue("Via").isEmpty(), "not forwarded: " + response.headers());
        }
        assertTrue(nodes.get(0).logTail(200).stream().anyMatch(line -> line.contains("to n2 failed before a response")),
                "n1 tried n2 and failed over:\n" + String.join("\n", nodes.get(0).logTail(40)));
    }

    @Test
    void renewedCertificateReachesNewConnectionsAndABrokenOneIsRefused() throws Exception {
        NodeSpec spec = cluster.newNode();
        spec = spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)));
        Certificates.NodeFiles first = ca.issue(cluster.logDir(), spec.name(), List.of(spec.bind()));
        NodeProcess node = cluster.start(spec.withArgs(first.args()));
        cluster.awaitLive(START_LIMIT, List.of(node));
        assertEquals(first.certificate().getSerialNumber(), servedSerial(node));

        // a key that is not PEM: refused with one line, and the certificate in use stays
        Files.writeString(first.key(), "not a key\n");
        cluster.await(ROTATION_LIMIT).until("the node refuses the broken key in its log", () ->
                node.logTail(50).stream().anyMatch(line -> line.contains("TLS: the changed pair is refused")
                        && line.contains(first.key().toString())));
        assertEquals(first.certificate().getSerialNumber(), servedSerial(node));
        assertEquals(200, node.get("/hello").statusCode());

        Certificates.NodeFiles renewed = ca.issue(cluster.logDir(), spec.name(), List.of(spec.bind()));
        BigInteger serial = renewed.certificate().getSerialNumber();
        Duration took = cluster.await(ROTATION_LIMIT).until("new connections get the renewed certificate",
                () -> serial.equals(servedSerial(node)));
        assertTrue(node.logTail(50).stream().anyMatch(line -> line.contains("TLS: new connections now get")),
                "the node logs the new certificate");
        assertEquals(200, node.get("/hello").statusCode());
        System.out.println("[ballast-it] renewed certificate served after " + Await.seconds(took));
    }

    @Test
    void tls10And11PlainHttpAndSilentSocketsAreRefused() throws Exception {
        NodeProcess node = cluster.start(tlsNode("--header-timeout", "1s"));
        cluster.awaitLive(START_LIMIT, List.of(node));
        InetSocketAddress address = new InetSocketAddress(node.bind(), node.httpPort());

        Path openssl = SystemPackages.require("openssl", "openssl");
        String connect = node.bind() + ":" + node.httpPort();
        for (String old : List.of("-tls1", "-tls1_1")) {
            List<String> refused = run(openssl.toString(), "s_client", "-connect", connect, old, "-cipher",
                    "DEFAULT:@SECLEVEL=0");
            assertTrue(refused.stream().anyMatch(line -> line.contains("Cipher is (NONE)")),
                    "a client of " + old + " gets no session: " + refused);
        }
        List<String> tls12 = run(openssl.toString(), "s_client", "-connect", connect, "-tls1_2");
        assertTrue(tls12.stream().anyMatch(line -> line.matches(".*New, TLSv1.2, Cipher is ECDHE-.*-GCM-.*")),
                "a TLS 1.2 client gets a forward-secret AEAD suite: " + tls12);

        // plain HTTP to the TLS port: the connection closes (after a TLS alert at most), it never hangs
        try (Socket socket = new Socket()) {
            socket.connect(address, 1_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET /hello HTTP/1.1\r\nHost: " + node.bind() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = readUntilClosed(socket.getInputStream());
            assertFalse(answer.startsWith("HTTP/"), "no HTTP answer on the TLS port: " + answer);
        }

        // a client that connects and sends nothing is closed after --header-timeout
        try (Socket socket = new Socket()) {
            socket.connect(address, 1_000);
            socket.setSoTimeout(5_000);
            long start = System.nanoTime();
            readUntilClosed(socket.getInputStream());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms >= 900 && ms < 4_000, "closed after " + ms + " ms, expected about 1 s");
        }

        // a handshake done in time is not cut off by that timer: the connection then follows HTTP's own timeouts
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket()) {
            socket.connect(address, 1_000);
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            Await.during(Duration.ofMillis(1_500)).always("the connection stays open past the handshake timeout",
                    () -> !socket.isClosed());
            socket.getOutputStream().write(("GET /hello HTTP/1.1\r\nHost: " + node.bind()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = readUntilClosed(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        }
    }

    @Test
    void redirectPortSendsPlainHttpToHttpsButAnswersHealthChecks() throws Exception {
        NodeSpec spec = tlsNode();
        int redirectPort = cluster.ports().tcp(spec.bind());
        NodeProcess node = cluster.start(spec.withArgs("--http-redirect-port", Integer.toString(redirectPort)));
        cluster.awaitOneView(START_LIMIT, List.of(node));
        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://" + node.bind() + ":" + redirectPort;

        HttpResponse<String> redirect = get(plain, base + "/work?ms=1&x=a%20b");
        assertEquals(308, redirect.statusCode());
        assertEquals(node.url() + "/work?ms=1&x=a%20b", redirect.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> followed = get(client(HttpClient.Version.HTTP_1_1),
                redirect.headers().firstValue("Location").orElseThrow());
        assertEquals(200, followed.statusCode(), followed.body());

        assertEquals(200, get(plain, base + "/_ballast/health/live").statusCode());
        assertEquals(200, get(plain, base + "/_ballast/health/ready").statusCode());
        assertEquals(308, get(plain, base + "/_ballast/cluster").statusCode(), "only health checks are answered");
    }

    @Test
    void misconfiguredTlsExitsTwoWithOneLineNamingTheFile() throws Exception {
        NodeSpec spec = cluster.newNode();
        spec = spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)));
        Certificates.NodeFiles files = ca.issue(cluster.logDir(), "pair", List.of(spec.bind()));
        Certificates.NodeFiles other = ca.issue(cluster.logDir(), "other", List.of(spec.bind()));
        Path garbage = Files.writeString(cluster.logDir().resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\n"
                + "bm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        Path missing = cluster.logDir().resolve("missing.pem");

        assertExitsTwoWithOneLine(cluster.start(spec.withArgs("--tls-cert", files.cert().toString())),
                "--tls-cert", files.cert().toString(), "together with --tls-key");
        assertExitsTwoWithOneLine(cluster.start(spec.withArgs("--tls-cert", files.cert().toString(), "--tls-key",
                other.key().toString())), "--tls-key", other.key().toString(), "not the private key");
        assertExitsTwoWithOneLine(cluster.start(spec.withArgs("--tls-cert", garbage.toString(), "--tls-key",
                files.key().toString())), "--tls-cert", garbage.toString(), "not readable as PEM");
        assertExitsTwoWithOneLine(cluster.start(spec.withArgs("--tls-cert", files.cert().toString(), "--tls-key",
                missing.toString())), "--tls-key", missing.toString(), "no such file");
        assertExitsTwoWithOneLine(cluster.start(spec.withArgs("--http-redirect-port", "8080")),
                "--http-redirect-port", "without --tls-cert");
        int taken = cluster.ports().tcp(spec.bind());
        try (ServerSocket holder = new ServerSocket()) {
            holder.bind(new InetSocketAddress(spec.bind(), taken));
            assertExitsTwoWithOneLine(cluster.start(spec.withArgs(files.args()).withArgs("--http-redirect-port",
                    Integer.toString(taken))), "--http-redirect-port", Integer.toString(taken), "a free port");
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder()
                .version(version)
                .sslContext(ca.clientContext())
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The serial number of the certificate a new connection (a new client, so no resumed session) gets. */
    private BigInteger servedSerial(NodeProcess node) throws IOException {
        try (SSLSocket socket = (SSLSocket) ca.clientContext().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(node.bind(), node.httpPort()), 1_000);
            socket.setSoTimeout(5_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** What arrives until the peer closes; fails if it is still open after the socket's read timeout. */
    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("the node kept the connection open, after " + bytes.size() + " bytes");
        } catch (SocketException e) {
            // reset: closed as well
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** Runs a program with no input and returns its output lines (standard error too), within 20 s. */
    private static List<String> run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = process.getOutputStream()) {
            in.flush();
        }
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish: " + output);
        }
        return output.lines().toList();
    }

    private static void assertExitsTwoWithOneLine(NodeProcess node, String... mentions) {
        int status = node.awaitExit(EXIT_LIMIT);
        List<String> stderr = node.stderr();
        String context = "\nstderr: " + stderr + "\nlast lines of " + node.logFile() + ":\n"
                + String.join("\n", node.logTail(30));
        assertEquals(2, status, () -> "exit status" + context);
        assertEquals(1, stderr.size(), () -> "lines on stderr" + context);
        for (String mention : mentions) {
            assertTrue(stderr.get(0).contains(mention), () -> "stderr names " + mention + context);
        }
    }
}
