package io.ballast.node.edge;

import io.ballast.protocol.BallastHeaders;
import io.ballast.protocol.Json;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that writes Ballast's own responses: JSON documents and JSON errors.
 */
public final class Responses {

    private Responses() {
    }

    /** Sends {@code body} as JSON with {@code status} and ends the exchange. */
    public static void json(HttpServerExchange exchange, int status, Object body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(Json.write(body) + "\n");
    }

    /**
     * Sends {@code {"error": message, "requestId": …}} plus {@code details} with {@code status}.
     */
    public static void error(HttpServerExchange exchange, int status, String message, Map<String, ?> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("requestId", exchange.getRequestHeaders().getFirst(BallastHeaders.REQUEST_ID));
        body.putAll(details);
        json(exchange, status, body);
    }

    public static void error(HttpServerExchange exchange, int status, String message) {
        error(exchange, status, message, Map.of());
    }
}
