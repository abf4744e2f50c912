package io.ballast.node.forward;

import io.ballast.node.cluster.Peer;
import io.ballast.node.cluster.Peers;
import io.ballast.node.load.LocalNode;
import io.ballast.node.routing.Candidate;
import io.ballast.node.routing.Router;
import io.ballast.protocol.LoadReport;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ssl.XnioSsl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves a request here or forwards it to one peer, and never lets a request take a second hop.
 *
 * <ul>
 *   <li>A request that {@link HopCheck} found to carry a valid hop token for this node is served here.</li>
 *   <li>Otherwise the {@link Router} decides among the eligible peers that are not ejected; when this node's
 *       application cannot serve (its upstream is down), any of those peers serves rather than this node.</li>
 *   <li>A forward goes through Undertow's proxy over pooled keep-alive connections ({@link PeerConnections}), with
 *       the headers of {@link ForwardHeaders}; its state is a {@link Forward}. If the peer cannot be reached, or fails
 *       before any response byte (for a request the proxy may repeat), the peer is ejected and the router asked again
 *       without it: another peer, or this node.</li>
 * </ul>
 */
public final class RoutingHandler implements HttpHandler {

    /** A forward tries at most this many peers before it serves the request here. */
    static final int MAX_PEER_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(RoutingHandler.class);

    private final LocalNode self;
    private final Peers peers;
    private final Router router;
    private final PeerHealth health = new PeerHealth();
    private final ForwardTimes.Observer forwardTimes;
    private final HttpHandler local;
    private final PeerConnections connections;
    private final ForwardHeaders headers;
    private final ProxyHandler proxy;

    private record PeerTarget(Peer peer) implements ProxyClient.ProxyTarget {
    }

    private record HereTarget() implements ProxyClient.ProxyTarget {
    }

    /**
     * @param self           this node: its name, load and report, and whether it can serve here; when it cannot, any
     *                       eligible peer does
     * @param peers          the eligible peers, the hop key, and where a peer's load read from its answer goes
     * @param router         the decision
     * @param forwardTimeout how long a forward may take in all, in ms, before the client gets 504 (or, once the
     *                       answer has started, its connection is closed); 0 for no limit
     * @param forwardTimes   takes where the time of each completed forward went
     * @param local          serves a request here
     */
    public RoutingHandler(LocalNode self, Peers peers, Router router, int forwardTimeout,
                          ForwardTimes.Observer forwardTimes, HttpHandler local) {
        this.self = self;
        this.peers = peers;
        this.router = router;
        this.forwardTimes = forwardTimes;
        this.connections = new PeerConnections(self.bind());
        this.local = local;
        this.headers = new ForwardHeaders(self.name(), peers);
        this.proxy = ProxyHandler.builder()
                .setProxyClient(new PeerProxyClient())
                .setMaxRequestTime(forwardTimeout)
                .setRewriteHostHeader(false)
                .setReuseXForwarded(false)
                .setMaxConnectionRetries(MAX_PEER_ATTEMPTS + 1)
                .addRequestHeader(ForwardHeaders.HOP, headers.hopToken())
                .addRequestHeader(Headers.VIA, headers.via())
                .setNext(local)
                .build();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (HopCheck.arrivedByHop(exchange)) {
            exchange.addResponseCommitListener(done -> ForwardHeaders.putLoad(done, self.reportForAnswer()));
            local.handleRequest(exchange);
            return;
        }
        self.meter().clientRequest();
        List<Peer> eligible = peers.eligiblePeers();
        Peer target = choose(eligible);
        if (target == null) {
            local.handleRequest(exchange);
            return;
        }
        forward(exchange, eligible, target);
    }

    /** Closes the connections to a peer that left the cluster; requests still waiting on it fail over. */
    public void peerLeft(String peer) {
        connections.forget(peer);
        health.forget(peer);
        self.meter().forgetPeer(peer);
    }

    /** Forwards to peers whose URL is {@code https} over TLS with {@code ssl}. */
    public void forwardOverTls(XnioSsl ssl) {
        connections.forwardOverTls(ssl);
    }

    public void close() {
        connections.closeAll();
    }

    /** The peer to forward to among {@code eligible}, or null to serve here. Chooses only. */
    private Peer choose(List<Peer> eligible) {
        long now = System.nanoTime();
        List<Candidate> candidates = new ArrayList<>(eligible.size());
        for (Peer peer : eligible) {
            if (!health.isEjected(peer.name(), now)) {
                candidates.add(Candidate.peer(peer.entry().report(), peer.entry().estimatedInFlight()));
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Candidate pick;
        if (self.canServeHere()) {
            pick = router.decide(self.meter().candidate(self.name(), candidates), candidates);
        } else {
            pick = router.elsewhere(candidates);
        }
        if (pick == null) {
            return null;
        }
        for (Peer peer : eligible) {
            if (peer.name().equals(pick.name())) {
                return peer;
            }
        }
        return null;
    }

    private void forward(HttpServerExchange exchange, List<Peer> eligible, Peer target) throws Exception {
        Forward forward = Forward.start(exchange, eligible, target);
        self.meter().forwarded();
        headers.onForward(exchange);
        exchange.addResponseCommitListener(headers::onAnswer);
        exchange.addExchangeCompleteListener((done, next) -> {
            forward.uncount();
            if (!forward.servedHere()) {
                forwardTimes.completed(forward.times());
                self.meter().forwardedTo(forward.current().name());
                if (done.getStatusCode() < StatusCodes.INTERNAL_SERVER_ERROR) {
                    health.succeeded(forward.current().name());
                }
            }
            next.proceed();
        });
        proxy.handleRequest(exchange);
    }

    /** After a failed attempt: ejects its peer, counts the failover, and returns the next peer, or null for here. */
    private Peer failedOver(HttpServerExchange exchange, Forward forward) {
        String failedPeer = forward.failCurrent();
        health.failed(failedPeer, System.nanoTime());
        self.meter().failedOver();
        LOG.info("forward of {} {} to {} failed before a response; trying another candidate",
                exchange.getRequestMethod(), exchange.getRequestPath(), failedPeer);
        return forward.failures() >= MAX_PEER_ATTEMPTS ? null : choose(forward.remaining());
    }

    /** Gives the proxy each attempt's peer, or "here" once every peer it may try has failed. */
    private final class PeerProxyClient implements ProxyClient {

        private static final ProxyTarget HERE = new HereTarget();

        @Override
        public ProxyTarget findTarget(HttpServerExchange exchange) {
            Forward forward = Forward.of(exchange);
            if (forward == null) {
                return null;
            }
            if (forward.firstAttempt()) {
                return new PeerTarget(forward.current());
            }
            Peer next = failedOver(exchange, forward);
            if (next == null) {
                return HERE;
            }
            forward.goTo(next);
            return new PeerTarget(next);
        }

        @Override
        public void getConnection(ProxyTarget target, HttpServerExchange exchange,
                                  ProxyCallback<ProxyConnection> callback, long timeout, TimeUnit timeUnit) {
            Forward forward = Forward.of(exchange);
            if (target instanceof PeerTarget peerTarget) {
                Peer peer = peerTarget.peer();
                forward.countAt(peer);
                connections.connect(peer.name(), peer.url(), target, exchange, new ProxyCallback<>() {
                    @Override
                    public void completed(HttpServerExchange done, ProxyConnection connection) {
                        forward.connected();
                        callback.completed(done, connection);
                    }

                    @Override
                    public void failed(HttpServerExchange failed) {
                        callback.failed(failed);
                    }

                    @Override
                    public void couldNotResolveBackend(HttpServerExchange failed) {
                        callback.couldNotResolveBackend(failed);
                    }

                    @Override
                    public void queuedRequestFailed(HttpServerExchange failed) {
                        callback.queuedRequestFailed(failed);
                    }
                }, timeout, timeUnit);
                return;
            }
            // every peer failed: serve the request here after all
            forward.serveHere();
            // The proxy's pool takes back the failed attempt's connection when the exchange completes, and only on
            // the I/O thread; a local handler that answers from a worker thread (a dispatched one: /cpu, /session)
            // would have that listener throw and the exchange never end. Hop back to the I/O thread first.
            exchange.addExchangeCompleteListener((done, next) -> {
                if (done.isInIoThread()) {
                    next.proceed();
                } else {
                    done.getIoThread().execute(next::proceed);
                }
            });
            exchange.getIoThread().execute(() -> Connectors.executeRootHandler(local, exchange));
        }
    }
}
