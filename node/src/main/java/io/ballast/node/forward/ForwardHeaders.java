package io.ballast.node.forward;

import io.ballast.node.cluster.Peers;
import io.ballast.protocol.BallastHeaders;
import io.ballast.protocol.HopNonce;
import io.ballast.protocol.LoadHeader;
import io.ballast.protocol.LoadReport;
import io.undertow.attribute.ExchangeAttribute;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * What a forward adds to and takes from headers. On the request: hop-by-hop headers out, a hop token for the attempt's
 * peer and a {@code Via} entry in (per attempt, so that a retry to another peer carries a token for that one); the
 * {@code X-Forwarded-*} headers are Undertow's proxy's. On the answer: the peer's load taken off (never to the client)
 * and learned, the peer's hop-by-hop headers out, this node's {@code Via} entry in. At the serving end, this node's
 * load goes onto its answer to a forward.
 */
final class ForwardHeaders {

    static final HttpString HOP = new HttpString(BallastHeaders.HOP);
    static final HttpString LOAD = new HttpString(BallastHeaders.LOAD);
    static final HttpString SERVED_BY = new HttpString(BallastHeaders.SERVED_BY);

    private static final Logger LOG = LoggerFactory.getLogger(ForwardHeaders.class);

    private final String self;
    private final Peers peers;
    private final HopNonce.Source nonces = new HopNonce.Source();

    ForwardHeaders(String self, Peers peers) {
        this.self = self;
        this.peers = peers;
    }

    /** The request is about to be forwarded: what described the client's connection goes. */
    void onForward(HttpServerExchange exchange) {
        HopByHop.strip(exchange.getRequestHeaders());
        exchange.getResponseHeaders().remove(SERVED_BY); // the peer's answer says who served it
    }

    /** The hop token of the current attempt, for the proxy to add to the request. */
    ExchangeAttribute hopToken() {
        return attribute(exchange -> peers.hopTokens().sign(self, Forward.of(exchange).current().name(),
                exchange.getRequestMethod().toString(), requestTarget(exchange), System.currentTimeMillis(),
                nonces.next()));
    }

    /** The request's {@code Via} with this node's entry, for the proxy to set. */
    ExchangeAttribute via() {
        return attribute(exchange -> {
            String existing = exchange.getRequestHeaders().getFirst(Headers.VIA);
            return (existing == null || existing.isBlank() ? "" : existing + ", ") + "1.1 " + self;
        });
    }

    /** The answer to a forwarded request is about to go to the client. */
    void onAnswer(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getResponseHeaders();
        Forward forward = Forward.of(exchange);
        forward.answered();
        if (forward.servedHere() || !headers.contains(SERVED_BY)) {
            // served here after every peer failed, or the proxy itself answered: no peer's answer to pass on
            headers.put(SERVED_BY, self);
            return;
        }
        String load = headers.getFirst(LOAD);
        if (load != null) {
            headers.remove(LOAD);
            LoadHeader.read(load).ifPresentOrElse(peers::learn,
                    () -> LOG.debug("ignored a load header that is not one: {}", load));
        }
        HopByHop.stripFromResponse(headers, exchange.getStatusCode());
        headers.add(Headers.VIA, "1.1 " + self);
    }

    /** At the serving end: this node's load on its answer to a peer's forward. */
    static void putLoad(HttpServerExchange exchange, LoadReport report) {
        exchange.getResponseHeaders().put(LOAD, LoadHeader.write(report));
    }

    /** What a hop token signs as the request: the decoded path and the query, the same at sender and receiver. */
    static String requestTarget(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestPath() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    private static ExchangeAttribute attribute(Function<HttpServerExchange, String> read) {
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
}
