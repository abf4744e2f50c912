package io.ballast.node.forward;

import io.ballast.node.cluster.LoadBoard;
import io.ballast.node.cluster.Peer;
import io.ballast.node.cluster.Peers;
import io.ballast.node.edge.EdgeHandler;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.load.LocalNode;
import io.ballast.node.routing.Balance;
import io.ballast.node.routing.Router;
import io.ballast.node.routing.StrategyName;
import io.ballast.protocol.BallastHeaders;
import io.ballast.protocol.HopNonce;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.LoadHeader;
import io.ballast.protocol.LoadReport;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forward path in one process, over real sockets on loopback: nodes made of the node's own edge, hop check and
 * routing handlers in front of an application that names them, with peers that refuse, hang or serve.
 */
class ForwardPathTest {

    private static final HopToken KEY = new HopToken("forward-path-test-hop-key".getBytes(StandardCharsets.UTF_8));
    private static final int FORWARD_TIMEOUT_MS = 1_000;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** The peers of one test node: a board of reports, as the cluster would hold them, and a fixed list. */
    private static final class TestPeers implements Peers {
        final LoadBoard board = new LoadBoard();
        final Map<String, URI> urls = new ConcurrentHashMap<>();

        void add(TestNode node) {
            add(node.self.name(), node.url, node.self.report());
        }

        void add(String name, URI url, LoadReport report) {
            urls.put(name, url);
            board.update(report);
        }

        @Override
        public List<Peer> eligiblePeers() {
            List<Peer> peers = new ArrayList<>();
            urls.forEach((name, url) -> peers.add(new Peer(name, url, board.get(name).orElseThrow())));
            return peers;
        }

        @Override
        public HopToken hopTokens() {
            return KEY;
        }

        @Override
        public void learn(LoadHeader load) {
            board.update(load);
        }
    }

    /** A node in this process: edge, hop check, routing, and an application that answers with its name. */
    private final class TestNode implements AutoCloseable {
        final LocalNode self;
        final TestPeers peers = new TestPeers();
        final List<ForwardTimes> forwards = new CopyOnWriteArrayList<>();
        final RoutingHandler routing;
        final Undertow server;
        final URI url;

        /**
         * @param servesOwnClients false: like a node whose upstream is down, it hands every client request to a peer
         */
        TestNode(String name, boolean servesOwnClients) {
            int port = freePort();
            url = URI.create("http://127.0.0.1:" + port);
            self = new LocalNode(name, url.toString(), InetAddress.getLoopbackAddress(), 1, new LoadMeter(8, 1),
                    () -> servesOwnClients, () -> 0);
            routing = new RoutingHandler(self, peers,
                    new Router(Balance.ADAPTIVE, StrategyName.ROUND_ROBIN.create(RandomGenerator.getDefault())),
                    FORWARD_TIMEOUT_MS, forwards::add, exchange -> exchange.getResponseSender().send(name));
            server = Undertow.builder().addHttpListener(port, "127.0.0.1")
                    .setHandler(new EdgeHandler(name, () -> false, new HopCheck(name, () -> KEY, routing)))
                    .build();
            server.start();
            open.add(this);
        }

        @Override
        public void close() {
            routing.close();
            server.stop();
        }
    }

    private HttpResponse<String> get(TestNode node, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url.resolve("/hello"))
                .timeout(Duration.ofSeconds(20)).GET();
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String servedBy(HttpResponse<?> response) {
        return response.headers().firstValue(BallastHeaders.SERVED_BY).orElse(null);
    }

    private static Optional<String> via(HttpResponse<?> response) {
        return response.headers().firstValue(Headers.VIA_STRING);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A URL where nothing listens: connections are refused. */
    private static URI refusing() {
        return URI.create("http://127.0.0.1:" + freePort());
    }

    /** A peer report for a node that is not there: it looks up and ready, with room. */
    private static LoadReport reportOf(String name, URI url) {
        return new LocalNode(name, url.toString(), InetAddress.getLoopbackAddress(), 1, new LoadMeter(8, 1), () -> true,
                () -> 0).report();
    }

    @Test
    void aRefusingPeerIsEjectedAndTheNextServes() throws Exception {
        TestNode a = new TestNode("a", false);
        TestNode c = new TestNode("c", true);
        URI refusing = refusing();
        a.peers.add("b", refusing, reportOf("b", refusing));
        a.peers.add(c);
        long start = System.nanoTime();
        int requests = 20;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = get(a, Map.of());
            assertEquals(200, response.statusCode());
            assertEquals("c", servedBy(response), "every request is served by the peer that answers");
        }
        long failovers = a.self.meter().failedOverCount();
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(failovers >= 1, "b was never tried");
        assertTrue(failovers <= 1 + seconds, failovers + " failovers in " + seconds + " s: b was not ejected "
                + "(round robin would have tried it for every other request)");
    }

    @Test
    void whenEveryPeerFailsTheRequestIsServedHere() throws Exception {
        TestNode a = new TestNode("a", false);
        for (String name : List.of("b", "d")) {
            URI refusing = refusing();
            a.peers.add(name, refusing, reportOf(name, refusing));
        }
        HttpResponse<String> response = get(a, Map.of());
        assertEquals(200, response.statusCode());
        assertEquals("a", servedBy(response));
        assertEquals("a", response.body());
        assertEquals(Optional.empty(), via(response), "no peer answered, so no hop to show");
    }

    @Test
    void thePeersLoadReachesTheBoardAndNeverTheClient() throws Exception {
        TestNode a = new TestNode("a", false);
        TestNode c = new TestNode("c", true);
        a.peers.add(c);
        long before = a.peers.board.get("c").orElseThrow().report().sequence();
        HttpResponse<String> response = get(a, Map.of());
        assertEquals("c", servedBy(response));
        assertEquals(Optional.empty(), response.headers().firstValue(BallastHeaders.LOAD), "load header leaked");
        assertTrue(a.peers.board.get("c").orElseThrow().report().sequence() > before,
                "the board still holds c's report from before the forward");
    }

    @Test
    void viaNamesOnlyTheForwarder() throws Exception {
        TestNode a = new TestNode("a", false);
        TestNode c = new TestNode("c", true);
        a.peers.add(c);
        HttpResponse<String> response = get(a, Map.of("Via", "1.1 someone-else"));
        assertEquals("c", servedBy(response));
        assertEquals(List.of("1.1 a"), response.headers().allValues(Headers.VIA_STRING));
    }

    @Test
    void everyCompletedForwardSaysWhereItsTimeWent() throws Exception {
        TestNode a = new TestNode("a", false);
        TestNode c = new TestNode("c", true);
        a.peers.add(c);
        for (int i = 0; i < 3; i++) {
            assertEquals("c", servedBy(get(a, Map.of())));
        }
        // the record is made as A's exchange completes, which may be just after the client has its answer
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (a.forwards.size() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(3, a.forwards.size(), "one record per completed forward");
        assertEquals(List.of(), c.forwards, "c forwarded nothing");
        for (ForwardTimes times : a.forwards) {
            assertTrue(times.connect() >= 0 && times.peer() > 0 && times.answer() >= 0, times.toString());
            assertEquals(times.total(), times.connect() + times.peer() + times.answer(), times.toString());
        }
    }

    @Test
    void aRequestWithAValidHopTokenIsNeverForwardedAgain() throws Exception {
        TestNode c = new TestNode("c", false);
        TestNode d = new TestNode("d", true);
        c.peers.add(d);
        HttpResponse<String> plain = get(c, Map.of());
        assertEquals("d", servedBy(plain), "a client's request to c goes on to d");
        String token = KEY.sign("a", "c", "GET", "/hello", System.currentTimeMillis(), new HopNonce.Source().next());
        HttpResponse<String> forwarded = get(c, Map.of(BallastHeaders.HOP, token));
        assertEquals("c", servedBy(forwarded), "a peer's forward is served where it lands");
        assertEquals(Optional.empty(), via(forwarded));
        assertTrue(forwarded.headers().firstValue(BallastHeaders.LOAD).isPresent(),
                "c tells its forwarder its load");
    }

    @Test
    void aPeerThatAcceptsAndThenHangsGives504InTime() throws Exception {
        ServerSocket hanging = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        open.add(hanging);
        List<Socket> accepted = new ArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = hanging.accept();
                    accepted.add(socket);
                    open.add(socket);
                    InputStream in = socket.getInputStream();
                    in.read(new byte[4096]); // reads the request, never answers
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        }, "hanging-peer");
        acceptor.setDaemon(true);
        acceptor.start();
        TestNode a = new TestNode("a", false);
        URI url = URI.create("http://127.0.0.1:" + hanging.getLocalPort());
        a.peers.add("h", url, reportOf("h", url));
        long start = System.nanoTime();
        HttpResponse<String> response = get(a, Map.of());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(504, response.statusCode(), response.body());
        assertTrue(tookMs >= FORWARD_TIMEOUT_MS - 50, "answered before the timeout: " + tookMs + " ms");
        assertTrue(tookMs < FORWARD_TIMEOUT_MS + 5_000, "504 took " + tookMs + " ms");
        assertFalse(accepted.isEmpty(), "the request never reached the hanging peer");
    }
}
