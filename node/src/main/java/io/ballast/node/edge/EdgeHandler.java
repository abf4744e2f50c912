package io.ballast.node.edge;

import io.ballast.protocol.BallastHeaders;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The first handler every request meets: it names the serving node in {@code X-Served-By}, gives the request an
 * {@code X-Request-Id} (keeping the client's when it is a sensible one), and counts the client requests in the node,
 * so that a drain knows when they are done. While the node drains, every answer closes its connection
 * ({@code Connection: close}), so that clients take their next request elsewhere.
 */
public final class EdgeHandler implements HttpHandler {

    private static final HttpString SERVED_BY = new HttpString(BallastHeaders.SERVED_BY);
    private static final HttpString REQUEST_ID = new HttpString(BallastHeaders.REQUEST_ID);
    private static final Pattern SENSIBLE_ID = Pattern.compile("[\\x21-\\x7e]{1,128}");
    private static final String OPERATOR_PREFIX = "/_ballast/";

    private final String nodeName;
    private final BooleanSupplier draining;
    private final HttpHandler next;
    private final AtomicInteger active = new AtomicInteger();

    /**
     * @param draining whether the node is draining now
     */
    public EdgeHandler(String nodeName, BooleanSupplier draining, HttpHandler next) {
        this.nodeName = nodeName;
        this.draining = draining;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String id = exchange.getRequestHeaders().getFirst(REQUEST_ID);
        if (id == null || !SENSIBLE_ID.matcher(id).matches()) {
            id = UUID.randomUUID().toString();
            exchange.getRequestHeaders().put(REQUEST_ID, id);
        }
        exchange.getResponseHeaders().put(SERVED_BY, nodeName);
        if (draining.getAsBoolean()) {
            exchange.setPersistent(false);
        }
        exchange.getResponseHeaders().put(REQUEST_ID, id);
        if (!exchange.getRequestPath().startsWith(OPERATOR_PREFIX)) {
            active.incrementAndGet();
            exchange.addExchangeCompleteListener((done, nextListener) -> {
                active.decrementAndGet();
                nextListener.proceed();
            });
        }
        next.handleRequest(exchange);
    }

    /** Client requests in this node now, served here or forwarded; operator requests are not counted. */
    public int active() {
        return active.get();
    }
}
