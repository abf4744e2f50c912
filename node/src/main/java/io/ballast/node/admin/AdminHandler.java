package io.ballast.node.admin;

import io.ballast.node.edge.Responses;
import io.ballast.protocol.ClusterView;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator endpoints under {@code /_ballast/}: always served by the node that received them, never forwarded.
 * {@code /_ballast/} itself is the live cluster page ({@link ClusterPage}).
 */
public final class AdminHandler implements HttpHandler {

    /** The prefix of every operator endpoint. */
    public static final String PREFIX = "/_ballast/";

    private final Supplier<ClusterView> view;
    private final BooleanSupplier ready;
    private final Supplier<String> metrics;
    private final EventStream events;
    private final DrainEndpoint drain;
    private final ClusterPage page = new ClusterPage();

    /**
     * @param view  the cluster as this node sees it now
     * @param ready   whether this node should be sent traffic: joined, not draining, its application reachable
     * @param metrics the metrics in Prometheus' text format
     * @param events  the cluster event stream
     * @param drain   the authenticated drain call
     */
    public AdminHandler(Supplier<ClusterView> view, BooleanSupplier ready, Supplier<String> metrics,
                        EventStream events, DrainEndpoint drain) {
        this.view = view;
        this.ready = ready;
        this.metrics = metrics;
        this.events = events;
        this.drain = drain;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        String endpoint = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        switch (endpoint) {
            case "cluster" -> {
                if (readOnly(exchange)) {
                    Responses.json(exchange, StatusCodes.OK, view.get());
                }
            }
            case "health/live" -> {
                if (readOnly(exchange)) {
                    Responses.json(exchange, StatusCodes.OK, Map.of("status", "UP"));
                }
            }
            case "health/ready" -> {
                if (readOnly(exchange)) {
                    boolean isReady = ready.getAsBoolean();
                    Responses.json(exchange, isReady ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                            Map.of("status", isReady ? "UP" : "DOWN"));
                }
            }
            case "metrics" -> {
                if (readOnly(exchange)) {
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
                    exchange.getResponseSender().send(metrics.get());
                }
            }
            case "events" -> {
                if (readOnly(exchange)) {
                    events.handleRequest(exchange);
                }
            }
            case "drain" -> drain.handleRequest(exchange);
            default -> {
                if (page.serves(endpoint)) {
                    if (readOnly(exchange)) {
                        page.send(exchange, endpoint);
                    }
                } else if (path.equals("/_ballast")) {
                    // the page's own links are relative to /_ballast/
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.LOCATION, PREFIX);
                    Responses.json(exchange, StatusCodes.MOVED_PERMANENTLY, Map.of("location", PREFIX));
                } else {
                    Responses.error(exchange, StatusCodes.NOT_FOUND, "no operator endpoint " + path);
                }
            }
        }
    }

    private static boolean readOnly(HttpServerExchange exchange) {
        if (exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD)) {
            return true;
        }
        exchange.getResponseHeaders().put(io.undertow.util.Headers.ALLOW, "GET, HEAD");
        Responses.error(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                "method " + exchange.getRequestMethod() + " not allowed on " + exchange.getRequestPath());
        return false;
    }
}
