package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.RawHttp;
import io.ballast.it.harness.TestCluster;
import io.ballast.protocol.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What no node should serve or forward gets its answer from the node it reached, over a raw socket: heads too
 * large, malformed, or with a body whose length cannot be known; and clients too slow to send their headers are
 * cut off without holding up anyone else.
 */
class BadInputIT {

    private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ANSWER = Duration.ofSeconds(10);
    private static final Duration CLOSE = Duration.ofSeconds(3);

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    private static NodeProcess node;

    @BeforeAll
    static void startOneNode() {
        NodeSpec spec = cluster.newNode();
        node = cluster.start(spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)))
                .withArgs("--header-timeout", HEADER_TIMEOUT.toMillis() + "ms"));
        cluster.awaitOneView(Duration.ofSeconds(60), List.of(node));
    }

    @Test
    void headerFieldsOver16KiBGet431AndTheConnectionClosed() {
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(hello("X-Big: " + "a".repeat(15 * 1024) + "\r\n"));
            assertEquals(200, http.readResponse(ANSWER).status(), "15 KiB of headers are within the limit");
        }
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(hello("X-Big: " + "a".repeat(17 * 1024) + "\r\n"));
            RawHttp.Response response = http.readResponse(ANSWER);
            assertEquals(431, response.status(), response.bodyText());
            assertJsonError(response);
            assertEquals("close", response.header("Connection"));
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
    }

    @Test
    void aHeadOver64KiBIsRefusedByTheParserWith400() {
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(hello("X-Big: " + "a".repeat(70 * 1024) + "\r\n"));
            assertEquals(400, http.readResponse(ANSWER).status());
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
    }

    @Test
    void aRequestTargetOver16KiBGets414() {
        try (RawHttp http = RawHttp.connect(node)) {
            http.send("GET /hello?q=" + "a".repeat(17 * 1024) + " HTTP/1.1\r\nHost: it\r\n\r\n");
            RawHttp.Response response = http.readResponse(ANSWER);
            assertEquals(414, response.status(), response.bodyText());
            assertJsonError(response);
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GARBAGE\r\n\r\n",
            "GET /he llo HTTP/1.1\r\nHost: it\r\n\r\n",
            "GET /hello HTTP/1.1\r\nHost: it\r\nNo colon here\r\n\r\n",
            "GET /hello HTTP/1.1\r\nHost: it\r\nBad Name: x\r\n\r\n"})
    void aMalformedRequestLineOrHeaderGets400AndTheConnectionClosed(String head) {
        assertRefusedByTheParser(head);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "Content-Length: 5\r\nContent-Length: 5\r\n",
            "Content-Length: 5, 5\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"})
    void aBodyLengthSaidTwiceOrTwoWaysGets400AndTheConnectionClosed(String framing) {
        assertRefusedByTheParser("POST /hello HTTP/1.1\r\nHost: it\r\n" + framing + "\r\n0\r\n\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "chunked, chunked", "identity"})
    void aTransferEncodingThatDoesNotEndInOneChunkedGets400AndTheConnectionClosed(String codings) {
        try (RawHttp http = RawHttp.connect(node)) {
            http.send("POST /hello HTTP/1.1\r\nHost: it\r\nTransfer-Encoding: " + codings + "\r\n\r\n0\r\n\r\n");
            RawHttp.Response response = http.readResponse(ANSWER);
            assertEquals(400, response.status(), response.bodyText());
            assertJsonError(response);
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
    }

    @Test
    void tooManyHeadersParametersOrCookiesGet400() {
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(hello(headerLines(100))); // with Host: 101
            RawHttp.Response response = http.readResponse(ANSWER);
            assertEquals(400, response.status(), response.bodyText());
            assertJsonError(response);
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
        assertRefusedByTheParser(hello(headerLines(200)));

        StringBuilder query = new StringBuilder("GET /hello?");
        for (int i = 0; i < 1001; i++) {
            query.append("p").append(i).append("=v&");
        }
        assertRefusedByTheParser(query + " HTTP/1.1\r\nHost: it\r\n\r\n");

        StringBuilder cookies = new StringBuilder("Cookie: ");
        for (int i = 0; i < 201; i++) {
            cookies.append("c").append(i).append("=v; ");
        }
        try (RawHttp http = RawHttp.connect(node)) {
            http.send("GET /session HTTP/1.1\r\nHost: it\r\n" + cookies + "\r\n\r\n");
            RawHttp.Response response = http.readResponse(ANSWER);
            assertEquals(400, response.status(), "a client's error, not the application's: " + response.bodyText());
            assertJsonError(response);
        }
    }

    @Test
    void limitsAreAppliedByTheNodeTheClientReachedBeforeAnyForward() {
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> pair = cluster.startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--balance", "always", "--strategy", "round-robin")).toList());
        cluster.awaitOneView(Duration.ofSeconds(60), pair);
        NodeProcess a = pair.get(0);

        Set<String> servedBy = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            servedBy.add(a.get("/hello").headers().firstValue("X-Served-By").orElse("none"));
        }
        assertEquals(Set.of(a.name(), pair.get(1).name()), servedBy, "round robin forwards half of what reaches "
                + a.name());
        // just within the limit where it arrives: the headers a forward adds do not push it over at the peer
        String id = "X-Request-Id: it-within\r\n";
        String big = "X-Big: " + "a".repeat(16 * 1024 - "Host: it\r\n".length() - id.length() - "X-Big: \r\n".length())
                + "\r\n";
        servedBy.clear();
        for (int i = 0; i < 4; i++) {
            try (RawHttp http = RawHttp.connect(a)) {
                http.send(hello(id + big));
                RawHttp.Response response = http.readResponse(ANSWER);
                assertEquals(200, response.status(), response.bodyText());
                servedBy.add(response.header("X-Served-By"));
            }
        }
        assertEquals(Set.of(a.name(), pair.get(1).name()), servedBy, "served where it arrived and through a forward");
        for (int i = 0; i < 4; i++) {
            try (RawHttp http = RawHttp.connect(a)) {
                http.send(hello("X-Big: " + "a".repeat(17 * 1024) + "\r\n"));
                RawHttp.Response response = http.readResponse(ANSWER);
                assertEquals(431, response.status());
                assertEquals(a.name(), response.header("X-Served-By"), "answered where it arrived");
            }
            try (RawHttp http = RawHttp.connect(a)) {
                http.send("POST /hello HTTP/1.1\r\nHost: it\r\nTransfer-Encoding: gzip\r\n\r\n");
                RawHttp.Response response = http.readResponse(ANSWER);
                assertEquals(400, response.status());
                assertEquals(a.name(), response.header("X-Served-By"), "answered where it arrived");
            }
            try (RawHttp http = RawHttp.connect(a)) {
                http.send("GET /hello HTTP/9.9\r\nHost: it\r\n\r\n");
                RawHttp.Response response = http.readResponse(ANSWER);
                assertEquals(505, response.status());
                assertEquals(a.name(), response.header("X-Served-By"), "answered where it arrived");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET /hello HTTP/9.9\r\nHost: it\r\n\r\n",
            "GET /hello HTTP/2.0\r\nHost: it\r\n\r\n",
            "GET /hello HTTP/0.9\r\nHost: it\r\n\r\n",
            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"})
    void aRequestLineOfAnotherHttpVersionThan1Gets505AndTheConnectionClosed(String request) {
        String version = request.substring(request.indexOf("HTTP/"), request.indexOf("HTTP/") + 8);
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(request);
            RawHttp.Response response = http.readResponse(ANSWER);
            assertEquals(505, response.status(), response.bodyText());
            assertJsonError(response);
            assertEquals(version, Json.read(response.bodyText(), Map.class).get("version"), response.bodyText());
            assertEquals(node.name(), response.header("X-Served-By"));
            assertEquals("close", response.header("Connection"));
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
    }

    @Test
    void http10And11AreServedAndAnyHttp1MinorVersionAsHttp11() {
        for (String version : List.of("HTTP/1.0", "HTTP/1.1", "HTTP/1.2")) {
            try (RawHttp http = RawHttp.connect(node)) {
                http.send("GET /hello " + version + "\r\nHost: it\r\nConnection: close\r\n\r\n");
                RawHttp.Response response = http.readResponse(ANSWER);
                assertEquals(200, response.status(), version + ": " + response.bodyText());
                assertEquals(node.name(), response.header("X-Served-By"), version);
            }
        }
    }

    @Test
    void onAKeptAliveConnectionOnlyTheRequestOfAnotherVersionGets505NotBytesOfABodyThatLookLikeOne() {
        // request lines of other versions inside a fixed-length body and a chunked one are body bytes, not requests
        String fake = "GET /hello HTTP/2.0\r\n";
        String chunked = "POST /headers HTTP/1.1\r\nHost: it\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;note=x\r\nabc\r\n" + Integer.toHexString(fake.length()) + "\r\n" + fake + "\r\n0\r\n"
                + "X-Trailer: t\r\n\r\n";
        String fixed = "POST /headers HTTP/1.1\r\nHost: it\r\nContent-Length: " + fake.length() + "\r\n\r\n" + fake;
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(chunked + fixed + hello("") + "GET /hello HTTP/3.0\r\nHost: it\r\n\r\n" + hello(""));
            for (int expected : List.of(405, 405, 200)) {        // the demo's /headers takes GET only
                RawHttp.Response response = http.readResponse(ANSWER);
                assertEquals(expected, response.status(), response.bodyText());
            }
            RawHttp.Response refused = http.readResponse(ANSWER);
            assertEquals(505, refused.status(), refused.bodyText());
            assertEquals("HTTP/3.0", Json.read(refused.bodyText(), Map.class).get("version"));
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection after the 505, unread requests "
                    + "and all");
        }
    }

    @Test
    void tricklingClientsAreClosedWithinTheHeaderTimeoutWhileOthersAreServed() throws IOException {
        int clients = 100;
        Duration byteEvery = Duration.ofMillis(300);
        Duration slack = Duration.ofSeconds(3);
        List<Trickler> tricklers = new ArrayList<>();
        List<Duration> helloLatencies = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < clients; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(node.bind(), node.httpPort()));
                Trickler trickler = new Trickler(channel);
                tricklers.add(trickler);
                channel.write(ByteBuffer.wrap("GET /hello HTTP/1.1\r\nHost: it\r\nX-Slow: "
                        .getBytes(StandardCharsets.US_ASCII)));
                trickler.startedAt = System.nanoTime();
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, trickler);
            }
            long start = System.nanoTime();
            long deadline = start + HEADER_TIMEOUT.plus(slack).plusSeconds(2).toNanos();
            long nextByte = start + byteEvery.toNanos();
            long nextHello = start + Duration.ofMillis(500).toNanos();
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            while (tricklers.stream().anyMatch(t -> t.closedAt == 0) && System.nanoTime() < deadline) {
                selector.select(Math.max(1, (Math.min(nextByte, deadline) - System.nanoTime()) / 1_000_000));
                for (SelectionKey key : selector.selectedKeys()) {
                    Trickler trickler = (Trickler) key.attachment();
                    buffer.clear();
                    int read;
                    try {
                        read = trickler.channel.read(buffer);
                    } catch (IOException e) {
                        read = -1; // reset: closed by the node
                    }
                    if (read < 0) {
                        trickler.closed(key);
                    } else {
                        trickler.answered += read;
                    }
                }
                selector.selectedKeys().clear();
                long now = System.nanoTime();
                if (now >= nextByte) {
                    for (Trickler trickler : tricklers) {
                        trickler.sendOneByte();
                    }
                    nextByte += byteEvery.toNanos();
                }
                if (now >= nextHello && helloLatencies.size() < 3) {
                    long asked = System.nanoTime();
                    HttpResponse<String> hello = node.get("/hello");
                    assertEquals(200, hello.statusCode(), "a normal client is served while the others trickle");
                    helloLatencies.add(Duration.ofNanos(System.nanoTime() - asked));
                    nextHello += Duration.ofMillis(500).toNanos();
                }
            }
        } finally {
            for (Trickler trickler : tricklers) {
                trickler.channel.close();
            }
        }
        assertEquals(3, helloLatencies.size(), "three normal requests while the clients trickled");
        for (Duration latency : helloLatencies) {
            assertTrue(latency.compareTo(Duration.ofSeconds(1)) < 0, "served promptly: " + helloLatencies);
        }
        Duration earliest = HEADER_TIMEOUT.minusMillis(250);
        Duration latest = HEADER_TIMEOUT.plus(slack);
        for (Trickler trickler : tricklers) {
            assertTrue(trickler.closedAt != 0, "every trickling client is closed by the node");
            Duration after = Duration.ofNanos(trickler.closedAt - trickler.startedAt);
            assertTrue(after.compareTo(earliest) >= 0 && after.compareTo(latest) <= 0,
                    "closed after " + after + ", expected " + earliest + " to " + latest);
            assertEquals(0, trickler.answered, "closed without an answer");
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() {
        NodeSpec spec = cluster.newNode();
        NodeProcess idle = cluster.start(spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)))
                .withArgs("--idle-timeout", "2s"));
        cluster.awaitOneView(Duration.ofSeconds(60), List.of(idle));
        try (RawHttp kept = RawHttp.connect(idle); RawHttp silent = RawHttp.connect(idle)) {
            long start = System.nanoTime();
            kept.send(hello(""));
            assertEquals(200, kept.readResponse(ANSWER).status());
            assertFalse(kept.closedByServer(Duration.ofMillis(1500)), "kept alive within the idle timeout");
            assertTrue(kept.closedByServer(Duration.ofSeconds(3)), "closed once idle for 2 s");
            assertTrue(silent.closedByServer(Duration.ofSeconds(3)), "a connection that never sent a byte too");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(6)) < 0);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** A request for /hello with {@code extraHeaders} (each ending in CRLF). */
    private static String hello(String extraHeaders) {
        return "GET /hello HTTP/1.1\r\nHost: it\r\n" + extraHeaders + "\r\n";
    }

    private static String headerLines(int count) {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < count; i++) {
            headers.append("X-H").append(i).append(": v\r\n");
        }
        return headers.toString();
    }

    /** Undertow's parser answers 400 and closes the connection before any handler sees the request. */
    private static void assertRefusedByTheParser(String request) {
        try (RawHttp http = RawHttp.connect(node)) {
            http.send(request);
            assertEquals(400, http.readResponse(ANSWER).status());
            assertTrue(http.closedByServer(CLOSE), "the node closes the connection");
        }
    }

    private static void assertJsonError(RawHttp.Response response) {
        assertEquals("application/json", response.header("Content-Type"));
        Map<?, ?> body = Json.read(response.bodyText(), Map.class);
        assertTrue(body.get("error") instanceof String, response.bodyText());
        assertTrue(response.header("X-Request-Id") != null, "the node named the request");
        assertEquals(response.header("X-Request-Id"), body.get("requestId"), response.bodyText());
    }

    /** A client that started a request and sends one more header byte now and then. */
    private static final class Trickler {
        final SocketChannel channel;
        long startedAt;
        long closedAt;
        long answered;

        Trickler(SocketChannel channel) {
            this.channel = channel;
        }

        void sendOneByte() {
            if (closedAt != 0) {
                return;
            }
            try {
                channel.write(ByteBuffer.wrap(new byte[] {'a'}));
            } catch (IOException e) {
                closedAt = System.nanoTime(); // the node has closed it (and the read side will tell too)
            }
        }

        void closed(SelectionKey key) {
            if (closedAt == 0) {
                closedAt = System.nanoTime();
            }
            key.cancel();
        }
    }
}
