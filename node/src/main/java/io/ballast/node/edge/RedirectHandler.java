package io.ballast.node.edge;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

/**
 * The plain-HTTP side of {@code --http-redirect-port}: every request gets {@code 308 Permanent Redirect} to the same
 * path and query on the node's HTTPS port (308 keeps the method and body, where 301 lets clients turn a POST into a
 * GET). Health checks under {@code /_ballast/health/} are answered here directly, so that a checker that speaks only
 * plain HTTP still can.
 */
final class RedirectHandler implements HttpHandler {

    static final String HEALTH = "/_ballast/health/";

    private final int httpsPort;
    private final String defaultHost;
    private final HttpHandler node;

    /**
     * @param httpsPort   the node's TLS port
     * @param defaultHost the host to redirect to when the request names none
     * @param node        the node's own handler chain, for the health checks
     */
    RedirectHandler(int httpsPort, String defaultHost, HttpHandler node) {
        this.httpsPort = httpsPort;
        this.defaultHost = defaultHost;
        this.node = node;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getRequestPath().startsWith(HEALTH)) {
            node.handleRequest(exchange);
            return;
        }
        String query = exchange.getQueryString();
        String location = "https://" + host(exchange.getRequestHeaders().getFirst(Headers.HOST))
                + (httpsPort == 443 ? "" : ":" + httpsPort) + exchange.getRequestURI()
                + (query == null || query.isEmpty() ? "" : "?" + query);
        exchange.setStatusCode(StatusCodes.PERMANENT_REDIRECT);
        exchange.getResponseHeaders().put(Headers.LOCATION, location);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
    }

    /** The host the client asked for, without its port; an IPv6 literal keeps its brackets. */
    private String host(String hostHeader) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return defaultHost;
        }
        String host = hostHeader.trim();
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            String literal = end > 0 ? host.substring(0, end + 1) : "";
            return literal.matches("\\[[0-9A-Fa-f:.]{2,45}\\]") ? literal : defaultHost;
        }
        int colon = host.indexOf(':');
        host = colon >= 0 ? host.substring(0, colon) : host;
        // Only a plain host name or address goes into the Location: nothing a client could use to inject text.
        return host.matches("[A-Za-z0-9._-]{1,253}") ? host : defaultHost;
    }
}
