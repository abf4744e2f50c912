package io.ballast.node.edge;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Stands around an application served in the node's own process (the demo app, or an embedded handler), from the
 * moment it is handed a request (after any wait for a capacity slot):
 *
 * <ul>
 *   <li><b>Request timeout.</b> An application that has not answered within {@code --request-timeout} is cut off:
 *       503 with a JSON body if it has not started its response, else the connection is closed. Either way the
 *       exchange ends, so its capacity slot is free again. The connection is not reused after a 503 either, since
 *       the application may still be reading this request.</li>
 *   <li><b>Failures in dispatched work.</b> Work the application dispatches without naming an executor
 *       ({@code exchange.dispatch(runnable)}) runs on Undertow's worker threads through an executor that hands
 *       whatever it throws to {@link RecoveryHandler#recover}: without it, the exception would be lost in the
 *       thread pool and the client left waiting.</li>
 * </ul>
 *
 * <p>A thread cannot be stopped from outside: a handler still running at the timeout keeps its thread until its code
 * returns. What it writes to its exchange after the timeout goes nowhere, and what it throws then is not logged as
 * an error.
 */
public final class ApplicationGuard implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApplicationGuard.class);

    private final String nodeName;
    private final Duration timeout;
    private final HttpHandler next;

    /**
     * @param timeout how long the application may take to answer in full; {@link Duration#ZERO} for no limit
     */
    public ApplicationGuard(String nodeName, Duration timeout, HttpHandler next) {
        this.nodeName = nodeName;
        this.timeout = timeout;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Executor base = exchange.getDispatchExecutor() != null ? exchange.getDispatchExecutor()
                : exchange.getConnection().getWorker();
        exchange.setDispatchExecutor(task -> base.execute(() -> runGuarded(exchange, task)));
        if (!timeout.isZero()) {
            XnioExecutor.Key expiry = exchange.getIoThread().executeAfter(() -> expire(exchange),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
            exchange.addExchangeCompleteListener((done, nextListener) -> {
                expiry.remove();
                nextListener.proceed();
            });
        }
        next.handleRequest(exchange);
    }

    private static void runGuarded(HttpServerExchange exchange, Runnable task) {
        try {
            task.run();
        } catch (Throwable failure) {
            RecoveryHandler.recover(exchange, failure);
        }
    }

    /** On the exchange's I/O thread, when the timeout has passed. */
    private void expire(HttpServerExchange exchange) {
        if (exchange.isComplete()) {
            return;
        }
        String id = RecoveryHandler.requestId(exchange);
        RecoveryHandler.markTimedOut(exchange);
        if (exchange.isResponseStarted()) {
            LOG.warn("request {} ({} {}): the application had not finished its answer within {} ms; connection "
                    + "closed", id, exchange.getRequestMethod(), exchange.getRequestPath(), timeout.toMillis());
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        LOG.warn("request {} ({} {}): no answer from the application within {} ms; answered 503", id,
                exchange.getRequestMethod(), exchange.getRequestPath(), timeout.toMillis());
        RecoveryHandler.answerOrClose(exchange, StatusCodes.SERVICE_UNAVAILABLE,
                "the application did not answer within the request timeout",
                Map.of("node", nodeName, "requestTimeoutMs", timeout.toMillis()), false);
    }
}
