package io.ballast.node.forward;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A peer whose host answers nothing, not even a refusal, costs a forward {@link PeerConnections}' connect timeout,
 * not the minutes the kernel would wait: the attempt fails and the proxy goes on to the next candidate. Connections
 * come from the source address the pool was given (the node's {@code --bind}), and a request waiting on a peer that
 * the pool forgets (the peer left the view) fails over at once.
 */
class PeerConnectionsTest {

    private static final long CONNECT_TIMEOUT_MS = 300;

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
    private final PeerConnections connections = new PeerConnections(null, CONNECT_TIMEOUT_MS);

    @AfterEach
    void closeAll() throws Exception {
        connections.closeAll();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /**
     * A listening socket that never accepts, with its accept queue full: Linux then drops further connection
     * attempts unanswered, as a host that fell off the network does.
     */
    private InetSocketAddress blackHole() throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        open.add(server);
        InetSocketAddress address = (InetSocketAddress) server.getLocalSocketAddress();
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            open.add(socket);
            try {
                socket.connect(address, 200);
            } catch (SocketTimeoutException e) {
                return address; // the queue is full: this attempt got no answer at all
            }
        }
        throw new IllegalStateException("the accept queue of " + address + " never filled");
    }

    private Undertow start(io.undertow.server.HttpHandler handler) {
        Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
        server.start();
        open.add(server::stop);
        return server;
    }

    private static URI url(Undertow server) {
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        return URI.create("http://127.0.0.1:" + address.getPort());
    }

    private record Target(String name, URI url) implements ProxyClient.ProxyTarget {
    }

    /** A proxy that tries {@code candidates} in turn over {@code pool}. */
    private Undertow front(PeerConnections pool, List<Target> candidates) {
        return start(ProxyHandler.builder()
                .setProxyClient(new ProxyClient() {
                    int next;

                    @Override
                    public ProxyTarget findTarget(HttpServerExchange exchange) {
                        return next < candidates.size() ? candidates.get(next++) : null;
                    }

                    @Override
                    public void getConnection(ProxyTarget target, HttpServerExchange exchange,
                                              ProxyCallback<ProxyConnection> callback, long timeout, TimeUnit unit) {
                        Target peer = (Target) target;
                        pool.connect(peer.name(), peer.url(), target, exchange, callback, timeout, unit);
                    }
                })
                .setMaxConnectionRetries(2)
                .setNext(ResponseCodeHandler.HANDLE_404)
                .build());
    }

    private static HttpResponse<String> get(Undertow server, String path) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return client.send(HttpRequest.newBuilder(url(server).resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void connectionsToAPeerComeFromTheSourceAddressThePoolWasGiven() throws Exception {
        URI peer = url(start(exchange -> exchange.getResponseSender()
                .send(exchange.getSourceAddress().getAddress().getHostAddress())));
        PeerConnections fromSeven = new PeerConnections(InetAddress.getByName("127.0.0.7"), CONNECT_TIMEOUT_MS);
        open.add(fromSeven::closeAll);

        HttpResponse<String> bound = get(front(fromSeven, List.of(new Target("peer", peer))), "/from");
        HttpResponse<String> unbound = get(front(connections, List.of(new Target("peer", peer))), "/from");

        assertEquals(200, bound.statusCode(), bound.body());
        assertEquals("127.0.0.7", bound.body(), "the address the peer saw the forward come from");
        assertEquals("127.0.0.1", unbound.body(), "without a source address, the route's (loopback's own)");
    }

    @Test
    void aPeerThatAnswersNothingIsGivenUpAfterTheConnectTimeoutAndTheNextOneServes() throws Exception {
        URI silent = URI.create("http://127.0.0.1:" + blackHole().getPort());
        URI alive = url(start(exchange -> exchange.getResponseSender().send("served by the second peer")));
        List<Target> candidates = List.of(new Target("silent", silent), new Target("alive", alive));
        Undertow front = front(connections, candidates);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long start = System.nanoTime();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(url(front).resolve("/anything"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("served by the second peer", response.body());
        assertTrue(tookMs >= CONNECT_TIMEOUT_MS, "the silent peer was given " + tookMs + " ms, under the timeout");
    }

    /** A server that reads requests and then neither answers nor closes, as a peer cut off the network does. */
    private record Mute(URI url, CountDownLatch requestArrived) {
    }

    private Mute mute() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(server);
        CountDownLatch requestArrived = new CountDownLatch(1);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = server.accept();
                    open.add(socket);
                    if (socket.getInputStream().read() >= 0) {
                        requestArrived.countDown();
                    }
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        }, "mute-peer");
        acceptor.setDaemon(true);
        acceptor.start();
        return new Mute(URI.create("http://127.0.0.1:" + server.getLocalPort()), requestArrived);
    }

    @Test
    void aRequestWaitingOnAPeerThatIsForgottenFailsOverAtOnce() throws Exception {
        Mute mute = mute();
        URI alive = url(start(exchange -> exchange.getResponseSender().send("served by the second peer")));
        Undertow front = front(connections, List.of(new Target("mute", mute.url()), new Target("alive", alive)));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(
                HttpRequest.newBuilder(url(front).resolve("/anything")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(mute.requestArrived().await(5, TimeUnit.SECONDS), "the request reached the mute peer");

        long forgotten = System.nanoTime();
        connections.forget("mute");
        HttpResponse<String> response = answer.get(5, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - forgotten) / 1_000_000;

        assertEquals("served by the second peer", response.body());
        // closing the connection cleanly would wait up to 10 s for the mute peer to close its end
        assertTrue(tookMs < 2_000, "the request failed over " + tookMs + " ms after its peer was forgotten");
    }
}
