package io.ballast.node.load;

import io.ballast.node.edge.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.RequestLimit;
import io.undertow.util.StatusCodes;

import java.util.Map;

/**
 * Serves a request here within the node's capacity: it counts the request in the {@link LoadMeter} from arrival to
 * completion, lets at most {@code capacity} run at once, queues as many more, and answers 503 beyond that.
 */
public final class MeteringHandler implements HttpHandler {

    private final LoadMeter meter;
    private final RequestLimit limit;
    private final HttpHandler next;

    public MeteringHandler(String nodeName, LoadMeter meter, int queueSize, HttpHandler next) {
        this.meter = meter;
        this.next = next;
        this.limit = new RequestLimit(meter.capacity(), queueSize);
        this.limit.setFailureHandler(exchange -> Responses.error(exchange, StatusCodes.SERVICE_UNAVAILABLE,
                "node is at capacity and its queue is full",
                Map.of("node", nodeName, "inFlight", meter.inFlight(), "capacity", meter.capacity(),
                        "queue", queueSize)));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        long start = System.nanoTime();
        meter.started();
        exchange.addExchangeCompleteListener((done, nextListener) -> {
            meter.finished(System.nanoTime() - start);
            nextListener.proceed();
        });
        limit.handleRequest(exchange, next);
    }
}
