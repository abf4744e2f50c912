package io.ballast.node.admin;

import io.ballast.node.edge.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /_ballast/drain} with {@code Authorization: Bearer <cluster secret>}: drains and stops this node, as
 * SIGTERM does. 202 when the drain starts; 401 without the right secret; 403 when the node runs without
 * {@code --secret}, where only SIGTERM drains it; 405 for other methods.
 */
public final class DrainEndpoint implements HttpHandler {

    private static final String BEARER = "Bearer ";

    private final Optional<byte[]> secret;
    private final Runnable startDrain;

    public DrainEndpoint(Optional<String> secret, Runnable startDrain) {
        this.secret = secret.map(s -> s.getBytes(StandardCharsets.UTF_8));
        this.startDrain = startDrain;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
            Responses.error(exchange, StatusCodes.METHOD_NOT_ALLOWED, "drain takes POST");
            return;
        }
        if (secret.isEmpty()) {
            Responses.error(exchange, StatusCodes.FORBIDDEN,
                    "this node runs without --secret: only SIGTERM drains it");
            return;
        }
        if (!authorized(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"ballast\"");
            Responses.error(exchange, StatusCodes.UNAUTHORIZED,
                    "drain needs the cluster secret as 'Authorization: Bearer <secret>'");
            return;
        }
        startDrain.run();
        Responses.json(exchange, StatusCodes.ACCEPTED, Map.of("status", "draining"));
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, secret.get());
    }
}
