package io.ballast.node.limit;

import io.ballast.node.cluster.Cluster;
import io.ballast.node.edge.Responses;
import io.ballast.node.forward.HopCheck;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Counts each client request against its client's {@link ClientLimits} at the node it entered the cluster by, and
 * refuses it with 429 when the client is over its limit.
 *
 * <p>The client is the address the TCP connection comes from: headers a client writes about itself
 * ({@code X-Forwarded-For}) are never believed here. A request a peer forwarded with a valid hop token was counted
 * where it entered and is not counted again. Every counted answer, refused or not, tells the client where it stands in
 * the {@code RateLimit-*} headers of the IETF draft: {@code RateLimit-Limit} (the burst), {@code RateLimit-Remaining}
 * (requests left in it now), {@code RateLimit-Reset} (seconds until it is full again) and {@code RateLimit-Policy}
 * ({@code burst;w=seconds to refill it}); a refusal adds {@code Retry-After} in seconds.
 */
public final class RateLimitHandler implements HttpHandler {

    static final HttpString LIMIT = new HttpString("RateLimit-Limit");
    static final HttpString REMAINING = new HttpString("RateLimit-Remaining");
    static final HttpString RESET = new HttpString("RateLimit-Reset");
    static final HttpString POLICY = new HttpString("RateLimit-Policy");

    private final ClientLimits limits;
    private final Cluster cluster;
    private final String policy;
    private final HttpHandler next;

    /**
     * @param limits  the buckets
     * @param cluster how many members the cluster has now
     * @param next    the rest of the chain, for requests within the limit
     */
    public RateLimitHandler(ClientLimits limits, Cluster cluster, HttpHandler next) {
        this.limits = limits;
        this.cluster = cluster;
        this.policy = limits.limit().burst() + ";w=" + limits.limit().windowSeconds();
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (HopCheck.arrivedByHop(exchange)) {
            next.handleRequest(exchange);
            return;
        }
        ClientLimits.Decision decision = limits.tryAcquire(clientOf(exchange), cluster.memberCount());
        HeaderMap headers = exchange.getResponseHeaders();
        headers.put(LIMIT, limits.limit().burst());
        headers.put(REMAINING, decision.remaining());
        headers.put(RESET, decision.resetSeconds());
        headers.put(POLICY, policy);
        if (decision.allowed()) {
            next.handleRequest(exchange);
            return;
        }
        headers.put(Headers.RETRY_AFTER, decision.retryAfterSeconds());
        Responses.error(exchange, StatusCodes.TOO_MANY_REQUESTS, "rate limit exceeded",
                Map.of("retryAfterSeconds", decision.retryAfterSeconds()));
    }

    /** The client's IP address as the connection shows it; the port changes with every connection. */
    static String clientOf(HttpServerExchange exchange) {
        InetSocketAddress peer = exchange.getConnection().getPeerAddress(InetSocketAddress.class);
        return peer == null || peer.getAddress() == null ? "unknown" : peer.getAddress().getHostAddress();
    }
}
