package io.ballast.node.admin;

import io.ballast.node.cluster.Cluster;
import io.ballast.node.edge.Responses;
import io.ballast.node.load.LocalNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.util.Map;

/**
 * The operator endpoints under {@code /_ballast/}: always served by the node that received them, never forwarded.
 * {@code /_ballast/} itself is the live cluster page ({@link ClusterPage}).
 */
public final class AdminHandler implements HttpHandler {

    /** The prefix of every operator endpoint. */
    public static final String PREFIX = "/_ballast/";

    private final LocalNode self;
    private final Cluster cluster;
    private final NodeMetrics metrics;
    private final EventStream events;
    private final DrainEndpoint drain;
    private final ClusterPage page = new ClusterPage();

    /**
     * @param self    this node, for its own report and whether it can serve
     * @param cluster the cluster as this node sees it
     * @param metrics the metrics, scraped in Prometheus' text format
     * @param events  the cluster event stream
     * @param drain   the authenticated drain call
     */
    public AdminHandler(LocalNode self, Cluster cluster, NodeMetrics metrics, EventStream events,
                        DrainEndpoint drain) {
        this.self = self;
        this.cluster = cluster;
        this.metrics = metrics;
        this.events = events;
        this.drain = drain;
    }

    /**
     * Whether this node should be sent traffic: it has joined its cluster, is not leaving, and its application (when
     * it is an {@code --upstream}) answers.
     */
    private boolean isReady() {
        return cluster.isJoined() && self.canServeHere();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        String endpoint = path.startsWith(PREFIX) ? path.substring(PREFIX.length()) : path;
        switch (endpoint) {
            case "cluster" -> {
                if (readOnly(exchange)) {
                    Responses.json(exchange, StatusCodes.OK, cluster.view(self.report()));
                }
            }
            case "health/live" -> {
                if (readOnly(exchange)) {
                    Responses.json(exchange, StatusCodes.OK, Map.of("status", "UP"));
                }
            }
            case "health/ready" -> {
                if (readOnly(exchange)) {
                    boolean isReady = isReady();
                    Responses.json(exchange, isReady ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                            Map.of("status", isReady ? "UP" : "DOWN"));
                }
            }
            case "metrics" -> {
                if (readOnly(exchange)) {
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE,
                            "text/plain; version=0.0.4; charset=utf-8");
                    exchange.getResponseSender().send(metrics.scrape());
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
        exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
        Responses.error(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                "method " + exchange.getRequestMethod() + " not allowed on " + exchange.getRequestPath());
        return false;
    }
}
