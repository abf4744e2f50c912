package io.ballast.node.forward;

import io.ballast.node.cluster.LoadBoard;
import io.ballast.node.cluster.Peer;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.routing.Candidate;
import io.ballast.node.routing.Router;
import io.ballast.protocol.BallastHeaders;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.Json;
import io.ballast.protocol.LoadReport;
import io.undertow.attribute.ExchangeAttribute;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Serves a request here or forwards it to one peer, and never lets a request take a second hop.
 *
 * <ul>
 *   <li>A request that {@link HopCheck} found to carry a valid hop token for this node is served here.</li>
 *   <li>Otherwise the {@link Router} decides among the eligible peers that are not ejected; when this node's
 *       application cannot serve (its upstream is down), any of those peers serves rather than this node.</li>
 *   <li>A forward goes through Undertow's proxy over pooled keep-alive connections, with the hop token, a
 *       {@code Via} entry and {@code X-Forwarded-*} headers, and without hop-by-hop headers. If the peer cannot be
 *       reached, or fails before any response byte (for a request the proxy may repeat), the peer is ejected and
 *       the router asked again without it: another peer, or this node.</li>
 * </ul>
 */
public final class RoutingHandler implements HttpHandler {

    /** A forward tries at most this many peers before it serves the request here. */
    static final int MAX_PEER_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(RoutingHandler.class);
    private static final HttpString HOP = new HttpString(BallastHeaders.HOP);
    private static final HttpString LOAD = new HttpString(BallastHeaders.LOAD);
    private static final HttpString SERVED_BY = new HttpString(BallastHeaders.SERVED_BY);
    private static final AttachmentKey<Forward> FORWARD = AttachmentKey.create(Forward.class);

    private final String self;
    private final int weight;
    private final LoadMeter meter;
    private final Router router;
    private final Supplier<List<Peer>> peers;
    private final PeerHealth health;
    private final Supplier<HopToken> hopTokens;
    private final Supplier<LoadReport> selfReport;
    private final Consumer<LoadReport> learn;
    private final LongConsumer forwardLatency;
    private final BooleanSupplier canServeHere;
    private final HttpHandler local;
    private final PeerConnections connections = new PeerConnections();
    private final ProxyHandler proxy;
    private final SecureRandom nonces = new SecureRandom();

    /** One forwarded request: the peers it may go to, the one it is at now, and the ones that failed it. */
    private static final class Forward {
        final Map<String, Peer> peers;
        final Set<String> failed = new HashSet<>();
        final long startNanos = System.nanoTime();
        Peer current;
        LoadBoard.Entry counted;
        int attempts;
        boolean servedHere;

        /** Counts this forward as outstanding at {@code peer}, and no longer at the peer of the previous attempt. */
        void countAt(Peer peer) {
            uncount();
            counted = peer.entry();
            counted.sent();
        }

        void uncount() {
            if (counted != null) {
                counted.finished();
                counted = null;
            }
        }

        Forward(Map<String, Peer> peers, Peer first) {
            this.peers = peers;
            this.current = first;
        }
    }

    private record PeerTarget(Peer peer) implements ProxyClient.ProxyTarget {
    }

    private record HereTarget() implements ProxyClient.ProxyTarget {
    }

    /**
     * @param self           this node's name
     * @param weight         this node's weight
     * @param meter          this node's load
     * @param router         the decision
     * @param peers          the peers eligible now
     * @param health         ejected peers
     * @param hopTokens      signer of hop tokens, with the cluster's current key
     * @param selfReport     this node's load report now, sent back on the answers to forwarded requests
     * @param learn          takes a peer's report read from the answer to a forward
     * @param forwardLatency takes the time of each completed forward, in nanoseconds
     * @param canServeHere   whether the local application can serve; when not, any eligible peer does
     * @param forwardTimeout how long a forward may take in all, in ms, before the client gets 504 (or, once the
     *                       answer has started, its connection is closed); 0 for no limit
     * @param local          serves a request here
     */
    public RoutingHandler(String self, int weight, LoadMeter meter, Router router, Supplier<List<Peer>> peers,
                          PeerHealth health, Supplier<HopToken> hopTokens, Supplier<LoadReport> selfReport,
                          Consumer<LoadReport> learn, LongConsumer forwardLatency, BooleanSupplier canServeHere,
                          int forwardTimeout, HttpHandler local) {
        this.self = self;
        this.weight = weight;
        this.meter = meter;
        this.router = router;
        this.peers = peers;
        this.health = health;
        this.hopTokens = hopTokens;
        this.selfReport = selfReport;
        this.learn = learn;
        this.forwardLatency = forwardLatency;
        this.canServeHere = canServeHere;
        this.local = local;
        this.proxy = ProxyHandler.builder()
                .setProxyClient(new PeerProxyClient())
                .setMaxRequestTime(forwardTimeout)
                .setRewriteHostHeader(false)
                .setReuseXForwarded(false)
                .setMaxConnectionRetries(MAX_PEER_ATTEMPTS + 1)
                .addRequestHeader(HOP, attribute(this::hopToken))
                .addRequestHeader(Headers.VIA, attribute(this::via))
                .setNext(local)
                .build();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (HopCheck.arrivedByHop(exchange)) {
            exchange.addResponseCommitListener(done ->
                    done.getResponseHeaders().put(LOAD, Json.write(selfReport.get())));
            local.handleRequest(exchange);
            return;
        }
        meter.clientRequest();
        List<Peer> eligible = peers.get();
        Peer target = choose(eligible, Set.of());
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
    }

    public void close() {
        connections.closeAll();
    }

    private Peer choose(List<Peer> eligible, Set<String> failed) {
        long now = System.nanoTime();
        List<Candidate> candidates = new ArrayList<>(eligible.size());
        for (Peer peer : eligible) {
            if (!failed.contains(peer.name()) && !health.isEjected(peer.name(), now)) {
                candidates.add(Candidate.peer(peer.entry().report(), peer.entry().estimatedInFlight()));
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        Candidate pick;
        if (canServeHere.getAsBoolean()) {
            pick = router.decide(meter.candidate(self, candidates), candidates);
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
        Forward forward = new Forward(eligible.stream().collect(Collectors.toMap(Peer::name, p -> p)), target);
        exchange.putAttachment(FORWARD, forward);
        meter.forwarded();
        HopByHop.strip(exchange.getRequestHeaders());
        exchange.getResponseHeaders().remove(SERVED_BY);
        exchange.addResponseCommitListener(this::onForwardedResponse);
        exchange.addExchangeCompleteListener((done, next) -> {
            forward.uncount();
            if (!forward.servedHere) {
                forwardLatency.accept(System.nanoTime() - forward.startNanos);
                if (done.getStatusCode() < StatusCodes.INTERNAL_SERVER_ERROR) {
                    health.succeeded(forward.current.name());
                }
            }
            next.proceed();
        });
        proxy.handleRequest(exchange);
    }

    private void onForwardedResponse(HttpServerExchange exchange) {
        Forward forward = exchange.getAttachment(FORWARD);
        HeaderMap headers = exchange.getResponseHeaders();
        if (forward.servedHere || !headers.contains(SERVED_BY)) {
            // served here after every peer failed, or the proxy itself answered: no peer's answer to pass on
            headers.put(SERVED_BY, self);
            return;
        }
        String load = headers.getFirst(LOAD);
        if (load != null) {
            headers.remove(LOAD);
            try {
                learn.accept(Json.read(load, LoadReport.class));
            } catch (IllegalArgumentException e) {
                LOG.debug("ignored a load header that is not a report: {}", e.getMessage());
            }
        }
        HopByHop.stripFromResponse(headers, exchange.getStatusCode());
        headers.add(Headers.VIA, "1.1 " + self);
    }

    private String hopToken(HttpServerExchange exchange) {
        Forward forward = exchange.getAttachment(FORWARD);
        byte[] nonce = new byte[12];
        nonces.nextBytes(nonce);
        return hopTokens.get().sign(self, forward.current.name(), exchange.getRequestMethod().toString(),
                requestTarget(exchange), System.currentTimeMillis(),
                Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
    }

    private String via(HttpServerExchange exchange) {
        String existing = exchange.getRequestHeaders().getFirst(Headers.VIA);
        return (existing == null || existing.isBlank() ? "" : existing + ", ") + "1.1 " + self;
    }

    /** What a hop token signs as the request: the decoded path and the query, the same at sender and receiver. */
    static String requestTarget(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestPath() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    private static ExchangeAttribute attribute(java.util.function.Function<HttpServerExchange, String> read) {
        return new ExchangeAttribute() {
            @Override
            public String readAttribute(HttpServerExchange exchange) {
                return read.apply(exchange);
            }

            @Override
            public void writeAttribute(HttpServerExchange exchange, String newValue) {
                throw new UnsupportedOperationException("read-only");
            }
        };
    }

    /** Chooses each attempt's peer; after a failed attempt, ejects that peer and asks the router again. */
    private final class PeerProxyClient implements ProxyClient {

        private static final ProxyTarget HERE = new HereTarget();

        @Override
        public ProxyTarget findTarget(HttpServerExchange exchange) {
            Forward forward = exchange.getAttachment(FORWARD);
            if (forward == null) {
                return null;
            }
            if (forward.attempts++ == 0) {
                return new PeerTarget(forward.current);
            }
            String failedPeer = forward.current.name();
            forward.failed.add(failedPeer);
            health.failed(failedPeer, System.nanoTime());
            meter.failedOver();
            LOG.info("forward of {} {} to {} failed before a response; trying another candidate",
                    exchange.getRequestMethod(), exchange.getRequestPath(), failedPeer);
            Peer next = forward.failed.size() >= MAX_PEER_ATTEMPTS ? null
                    : choose(List.copyOf(forward.peers.values()), forward.failed);
            if (next == null) {
                return HERE;
            }
            forward.current = next;
            return new PeerTarget(next);
        }

        @Override
        public void getConnection(ProxyTarget target, HttpServerExchange exchange,
                                  ProxyCallback<ProxyConnection> callback, long timeout, TimeUnit timeUnit) {
            if (target instanceof PeerTarget peerTarget) {
                Peer peer = peerTarget.peer();
                exchange.getAttachment(FORWARD).countAt(peer);
                connections.connect(peer.name(), peer.url(), target, exchange, callback, timeout, timeUnit);
                return;
            }
            // every peer failed: serve the request here after all
            Forward forward = exchange.getAttachment(FORWARD);
            forward.uncount();
            forward.servedHere = true;
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
