package io.ballast.node.forward;

import io.ballast.protocol.BallastHeaders;
import io.ballast.protocol.HopToken;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Tells a peer's forward from a client's request, before anything counts or routes it.
 *
 * <p>A request that carries a valid hop token for this node (signed with the cluster's key, fresh, and not seen
 * before) was forwarded by a peer: it is marked {@link #arrivedByHop}, so that it is served here and not counted
 * again by the rate limit, and its {@code X-Forwarded-*} headers, which the peer wrote, are kept. Any other hop token
 * is dropped, and so are the {@code X-Forwarded-*} headers a client wrote about itself.
 */
public final class HopCheck implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HopCheck.class);
    private static final HttpString HOP = new HttpString(BallastHeaders.HOP);
    private static final AttachmentKey<HopToken.Claims> ARRIVED_BY_HOP = AttachmentKey.create(HopToken.Claims.class);

    private final String self;
    private final Supplier<HopToken> hopTokens;
    private final ReplayGuard replays = new ReplayGuard();
    private final HttpHandler next;

    /**
     * @param self      this node's name: a token must be addressed to it
     * @param hopTokens the checker of hop tokens, with the cluster's current key
     * @param next      the rest of the chain
     */
    public HopCheck(String self, Supplier<HopToken> hopTokens, HttpHandler next) {
        this.self = self;
        this.hopTokens = hopTokens;
        this.next = next;
    }

    /** Whether a peer forwarded this request here with a valid hop token. */
    public static boolean arrivedByHop(HttpServerExchange exchange) {
        return exchange.getAttachment(ARRIVED_BY_HOP) != null;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        HeaderMap headers = exchange.getRequestHeaders();
        String token = headers.getFirst(HOP);
        Optional<HopToken.Claims> claims = Optional.empty();
        if (token != null) {
            headers.remove(HOP);
            claims = verify(exchange, token);
        }
        if (claims.isPresent()) {
            exchange.putAttachment(ARRIVED_BY_HOP, claims.get());
        } else {
            // only a peer may vouch for a client's address: what a client says of itself is dropped
            HopByHop.stripForwardedClaims(headers);
        }
        next.handleRequest(exchange);
    }

    private Optional<HopToken.Claims> verify(HttpServerExchange exchange, String token) {
        long now = System.currentTimeMillis();
        Optional<HopToken.Claims> claims = hopTokens.get().verify(token, self,
                exchange.getRequestMethod().toString(), ForwardHeaders.requestTarget(exchange), now);
        if (claims.isEmpty()) {
            LOG.debug("dropped an invalid hop token from {}", exchange.getSourceAddress());
            return Optional.empty();
        }
        if (!replays.firstUse(claims.get().sender(), claims.get().nonce(), System.nanoTime())) {
            LOG.debug("dropped a replayed hop token from {}", exchange.getSourceAddress());
            return Optional.empty();
        }
        return claims;
    }
}
