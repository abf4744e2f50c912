package io.ballast.node.edge;

import io.ballast.protocol.BallastHeaders;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

import java.io.IOException;
import java.util.Map;

/**
 * The outermost handler: whatever a handler below it throws, on whichever thread, the client gets an answer, the
 * failure is logged once with its stack, and the node goes on serving.
 *
 * <ul>
 *   <li>Before the response has started: 500 with {@code {"error", "requestId"}}; the connection stays usable.</li>
 *   <li>After it has started: the connection is closed, so that the client sees a cut-off response (a chunked one
 *       without its last chunk, a fixed-length one short), never one that looks complete.</li>
 *   <li>A body that grows past {@code --max-body} while a handler reads it is the client's doing: 413, not logged
 *       as a failure. So is an I/O error on a connection the client has already closed.</li>
 * </ul>
 *
 * <p>A handler throws on the thread that called it, or later in work it dispatched. Undertow runs dispatched
 * handlers through {@code Connectors.executeRootHandler}, which catches what they throw, attaches it as
 * {@link DefaultResponseListener#EXCEPTION} and ends the exchange, which calls this handler's default response
 * listener; a dispatched {@link Runnable} reaches it through {@link #recover} ({@link ApplicationGuard} dispatches
 * through it). Undertow also logs such a failure itself (UT005071 on {@code io.undertow.request});
 * {@link UndertowFailureLogFilter} drops that line, so the failure is logged here only. A handler that throws after
 * its exchange has ended has no one left to answer: thrown in the call from the root or in a dispatched
 * {@link Runnable}, that is logged here, with its stack, or at debug level only when the request had timed out (the
 * application woke late); in a handler run by {@code executeRootHandler}, Undertow's report of it is the line the
 * filter drops.
 */
public final class RecoveryHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryHandler.class);
    private static final HttpString SERVED_BY = new HttpString(BallastHeaders.SERVED_BY);
    private static final HttpString REQUEST_ID = new HttpString(BallastHeaders.REQUEST_ID);
    /** Present once the exchange has begun to end: a failure after that finds no one to answer. */
    private static final AttachmentKey<Boolean> ENDING = AttachmentKey.create(Boolean.class);
    /** Present when the node answered for an application that took too long: its late failures are expected. */
    private static final AttachmentKey<Boolean> TIMED_OUT = AttachmentKey.create(Boolean.class);

    private final HttpHandler next;

    public RecoveryHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.addDefaultResponseListener(RecoveryHandler::answerFailure);
        try {
            next.handleRequest(exchange);
        } catch (Throwable failure) {
            if (exchange.isDispatched()) {
                exchange.unDispatch(); // what it dispatched before it threw must not run on a failed request
            }
            recover(exchange, failure);
        }
    }

    /**
     * Answers (or cuts off) {@code exchange} for a handler that threw {@code failure} outside Undertow's own call,
     * e.g. in a task it dispatched, and logs it once.
     */
    public static void recover(HttpServerExchange exchange, Throwable failure) {
        if (exchange.getAttachment(TIMED_OUT) != null) {
            LOG.debug("request {} ({} {}) failed after it had timed out: {}", requestId(exchange),
                    exchange.getRequestMethod(), exchange.getRequestPath(), failure.toString());
            return;
        }
        if (exchange.isComplete() || exchange.getAttachment(ENDING) != null) {
            LOG.error("request {} ({} {}) failed after it had been answered", requestId(exchange),
                    exchange.getRequestMethod(), exchange.getRequestPath(), failure);
            return;
        }
        exchange.putAttachment(DefaultResponseListener.EXCEPTION, failure);
        exchange.endExchange();
    }

    /**
     * Marks {@code exchange} as answered for an application that took too long: what the application throws from
     * now on is expected, and logged at debug level only.
     */
    public static void markTimedOut(HttpServerExchange exchange) {
        exchange.putAttachment(TIMED_OUT, Boolean.TRUE);
    }

    /** The default response listener: called when the exchange ends, with the failure attached if there is one. */
    private static boolean answerFailure(HttpServerExchange exchange) {
        exchange.putAttachment(ENDING, Boolean.TRUE);
        Throwable failure = exchange.getAttachment(DefaultResponseListener.EXCEPTION);
        if (failure == null) {
            return false;
        }
        String id = requestId(exchange);
        if (failure instanceof RequestTooBigException) {
            LOG.debug("request {} ({} {}): body over the limit: {}", id, exchange.getRequestMethod(),
                    exchange.getRequestPath(), failure.getMessage());
            answer(exchange, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "request body too large", false);
        } else if (failure instanceof IOException && !exchange.getConnection().isOpen()) {
            LOG.debug("request {} ({} {}): the client went away: {}", id, exchange.getRequestMethod(),
                    exchange.getRequestPath(), failure.toString());
            return false; // nothing to send: Undertow ends the exchange on the closed connection
        } else if (exchange.isResponseStarted()) {
            LOG.error("request {} ({} {}) failed after its response had started; connection closed", id,
                    exchange.getRequestMethod(), exchange.getRequestPath(), failure);
            IoUtils.safeClose(exchange.getConnection());
        } else {
            LOG.error("request {} ({} {}) failed; answered 500", id, exchange.getRequestMethod(),
                    exchange.getRequestPath(), failure);
            answer(exchange, StatusCodes.INTERNAL_SERVER_ERROR,
                    "internal server error: the node's log has the details under this requestId", true);
        }
        return true;
    }

    private static void answer(HttpServerExchange exchange, int status, String message, boolean keepAlive) {
        answerOrClose(exchange, status, message, Map.of(), keepAlive);
    }

    /**
     * Replaces whatever response a failed or late handler had begun to set up with a JSON error (with
     * {@code fields} beside the message); closes the connection when that is not possible any more (the response
     * started, or starts meanwhile) or not {@code keepAlive}.
     */
    static void answerOrClose(HttpServerExchange exchange, int status, String message, Map<String, ?> fields,
                              boolean keepAlive) {
        if (exchange.isResponseStarted()) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        try {
            replaceResponseHeaders(exchange);
            if (!keepAlive) {
                exchange.setPersistent(false);
                exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
            }
            Responses.error(exchange, status, message, fields);
        } catch (RuntimeException e) {
            LOG.debug("request {}: no {} could be sent ({}); connection closed", requestId(exchange), status,
                    e.toString());
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    /** Clears what a handler set on the response, keeping the node's own {@code X-Served-By} and request id. */
    static void replaceResponseHeaders(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getResponseHeaders();
        String servedBy = headers.getFirst(SERVED_BY);
        String id = headers.getFirst(REQUEST_ID);
        headers.clear();
        if (servedBy != null) {
            headers.put(SERVED_BY, servedBy);
        }
        if (id != null) {
            headers.put(REQUEST_ID, id);
        }
    }

    static String requestId(HttpServerExchange exchange) {
        return exchange.getRequestHeaders().getFirst(REQUEST_ID);
    }
}
