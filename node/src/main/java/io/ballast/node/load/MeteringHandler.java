package io.ballast.node.load;

import io.ballast.node.edge.Responses;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.RequestLimit;
import io.undertow.util.StatusCodes;

import java.util.Map;

/**
 * Serves a request here within the node's capacity: it counts the request in the {@link LoadMeter} from arrival to
 * completion, lets at most {@code capacity} run at once, queues as many more, and answers 503 beyond that. It
 * measures how long each request holds its slot (from leaving the queue to completion), and tells the meter when an
 * answer begins.
 */
public final class MeteringHandler implements HttpHandler {

    private final LoadMeter meter;
    private final RequestLimit limit;
    private final HttpHandler next;

    /** One request's times, written on the threads that run its stages. */
    private static final class Timing {
        final long startNanos = System.nanoTime();
        volatile long slotNanos = -1;
        volatile boolean answering;
    }

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
        Timing timing = new Timing();
        meter.started();
        exchange.addResponseCommitListener(done -> {
            timing.answering = true;
            meter.answering();
        });
        exchange.addExchangeCompleteListener((done, nextListener) -> {
            long end = System.nanoTime();
            long slot = timing.slotNanos;
            meter.finished(end - timing.startNanos, slot < 0 ? -1 : end - slot, timing.answering);
            nextListener.proceed();
        });
        limit.handleRequest(exchange, slotted -> {
            timing.slotNanos = System.nanoTime();
            next.handleRequest(slotted);
        });
    }
}
