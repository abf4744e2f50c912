package io.ballast.node.edge;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

import java.util.Map;

/**
 * Refuses, with 413, a request whose {@code Content-Length} is over {@code --max-body}, before it is served or
 * forwarded, and closes the connection rather than read the body. A chunked body that grows past the limit is cut
 * off by Undertow ({@code MAX_ENTITY_SIZE}) while it streams.
 */
public final class BodyLimitHandler implements HttpHandler {

    private final long maxBody;
    private final HttpHandler next;

    public BodyLimitHandler(long maxBody, HttpHandler next) {
        this.maxBody = maxBody;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long length = exchange.getRequestContentLength();
        if (length > maxBody) {
            exchange.setPersistent(false);
            exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
            Responses.error(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "request body too large",
                    Map.of("contentLength", length, "maxBody", maxBody));
            return;
        }
        next.handleRequest(exchange);
    }
}
