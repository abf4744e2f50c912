package io.ballast.node.demo;

import io.ballast.node.edge.Responses;
import io.ballast.node.session.ClusteredSession;
import io.ballast.node.session.SessionGoneException;
import io.ballast.protocol.BallastHeaders;
import io.undertow.server.Connectors;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.session.Session;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.Sessions;
import io.undertow.util.StatusCodes;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The application a node serves when no other is configured, made to show balancing at work.
 *
 * <ul>
 *   <li>{@code GET /}: a redirect to the cluster page, {@code /_ballast/}.</li>
 *   <li>{@code GET /hello}: a greeting naming the node.</li>
 *   <li>{@code GET /work?ms=N}: holds one of the node's capacity slots for N ms (0 to 60000) without holding a
 *       thread: an I/O-bound request, like one waiting on a database. A slow node ({@code --work-factor F}) holds
 *       it F times as long.</li>
 *   <li>{@code GET /cpu?n=N}: hashes N times (1 to 10000000) on a worker thread: a CPU-bound request.</li>
 *   <li>{@code GET /headers}: the request headers as the application got them (names in lower case, values in
 *       order), as JSON with the node that served it: what a forward passes on, and what it does not.</li>
 *   <li>{@code GET /session}: adds one to a counter kept in the client's session (made on first use) and answers
 *       {@code {"count": n, "node": "<name>"}}; {@code DELETE /session} ends the session on every node.</li>
 *   <li>{@code GET /fail}: throws at once, on the I/O thread, before any response: the node's recovery at work.
 *       {@code GET /fail?after=N} throws in a handler dispatched to a worker thread, after sending the first N bytes
 *       (0 to 1000000) of a chunked response (with N = 0, before any).</li>
 *   <li>{@code GET /hang?ms=N}: holds a worker thread for N ms (0 to 600000) before it answers, as an application
 *       stuck in a slow call does: past {@code --request-timeout} the node answers for it.</li>
 *   <li>{@code GET /ws}: a WebSocket ({@link EchoSocket}) that names the node it is connected to, then echoes every
 *       text message.</li>
 * </ul>
 */
public final class DemoApp implements HttpHandler {

    static final int MAX_WORK_MS = 60_000;
    static final int MAX_CPU_ROUNDS = 10_000_000;
    static final int MAX_FAIL_AFTER_BYTES = 1_000_000;
    static final int MAX_HANG_MS = 600_000;

    private final String nodeName;
    private final double workFactor;
    private final RoutingHandler routes;

    /**
     * @param workFactor how many times longer than asked {@code /work} holds its slot: 1 normally, more to play a
     *                   slow node
     */
    public DemoApp(String nodeName, double workFactor) {
        this.nodeName = nodeName;
        this.workFactor = workFactor;
        this.routes = new RoutingHandler()
                .get("/", DemoApp::home)
                .get("/hello", this::hello)
                .get("/work", this::work)
                .get("/cpu", this::cpu)
                .get("/headers", this::headers)
                .get("/session", this::session)
                .delete("/session", this::endSession)
                .get("/fail", this::fail)
                .get("/hang", this::hang)
                .get("/ws", EchoSocket.handler(nodeName))
                .setFallbackHandler(exchange -> Responses.error(exchange, StatusCodes.NOT_FOUND,
                        "no such path: " + exchange.getRequestPath()))
                .setInvalidMethodHandler(exchange -> Responses.error(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                        "method " + exchange.getRequestMethod() + " not allowed on " + exchange.getRequestPath()));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        routes.handleRequest(exchange);
    }

    /** A browser pointed at a demo node lands on the cluster page. */
    private static void home(HttpServerExchange exchange) {
        exchange.setStatusCode(StatusCodes.FOUND);
        exchange.getResponseHeaders().put(Headers.LOCATION, "/_ballast/");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("The cluster page is at /_ballast/\n");
    }

    private void hello(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("Hello from " + nodeName + "\n");
    }

    private void headers(HttpServerExchange exchange) {
        Map<String, List<String>> headers = new TreeMap<>();
        for (HeaderValues values : exchange.getRequestHeaders()) {
            headers.computeIfAbsent(values.getHeaderName().toString().toLowerCase(Locale.ROOT),
                    name -> new ArrayList<>()).addAll(values);
        }
        Responses.json(exchange, StatusCodes.OK, Map.of("node", nodeName, "headers", headers));
    }

    private void work(HttpServerExchange exchange) {
        Integer ms = intParameter(exchange, "ms", 0, MAX_WORK_MS);
        if (ms == null) {
            return;
        }
        long heldMicros = Math.round(ms * 1000 * workFactor);
        // the answer runs as a root handler, as Undertow resumes a request: what it throws reaches the recovery
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> exchange.getIoThread().executeAfter(() ->
                Connectors.executeRootHandler(done -> Responses.json(done, StatusCodes.OK,
                        Map.of("node", nodeName, "ms", ms)), exchange), heldMicros, TimeUnit.MICROSECONDS));
    }

    private void cpu(HttpServerExchange exchange) {
        Integer rounds = intParameter(exchange, "n", 1, MAX_CPU_ROUNDS);
        if (rounds == null) {
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.dispatch(() -> burn(exchange, rounds));
        } else {
            burn(exchange, rounds);
        }
    }

    private void burn(HttpServerExchange exchange, int rounds) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        byte[] digest = nodeName.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < rounds; i++) {
            digest = sha.digest(digest);
        }
        Responses.json(exchange, StatusCodes.OK, Map.of("node", nodeName, "n", rounds,
                "digest", HexFormat.of().formatHex(digest, 0, 8)));
    }

    /**
     * One more on the session's counter, atomically whichever nodes serve the client's requests. Sessions read and
     * write the cluster: off the I/O thread.
     */
    private void session(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this::session);
            return;
        }
        Object count;
        try {
            count = increment(Sessions.getOrCreateSession(exchange));
        } catch (SessionGoneException e) {
            // ended by another request meanwhile: start again with a new one
            count = increment(Sessions.getOrCreateSession(exchange));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", count);
        body.put("node", nodeName);
        Responses.json(exchange, StatusCodes.OK, body);
    }

    private static Object increment(Session session) {
        return ClusteredSession.update(session, "count", n -> n instanceof Integer i ? i + 1 : 1);
    }

    private void endSession(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this::endSession);
            return;
        }
        Session session = Sessions.getSession(exchange);
        if (session != null) {
            session.invalidate(exchange);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ended", session != null);
        body.put("node", nodeName);
        Responses.json(exchange, StatusCodes.OK, body);
    }

    /** Throws, as a broken application does: at once, or on a worker thread after part of a chunked response. */
    private void fail(HttpServerExchange exchange) {
        String request = "request " + exchange.getRequestHeaders().getFirst(BallastHeaders.REQUEST_ID);
        if (!exchange.getQueryParameters().containsKey("after")) {
            throw new IllegalStateException("GET /fail fails on purpose (" + request + ")");
        }
        Integer bytes = intParameter(exchange, "after", 0, MAX_FAIL_AFTER_BYTES);
        if (bytes == null) {
            return;
        }
        exchange.dispatch((HttpHandler) worker -> {
            if (bytes > 0) {
                worker.startBlocking();
                worker.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                OutputStream body = worker.getOutputStream();
                body.write("x".repeat(bytes).getBytes(StandardCharsets.US_ASCII));
                body.flush();
            }
            throw new IllegalStateException("GET /fail?after=" + bytes + " fails on purpose after " + bytes
                    + " bytes of its response (" + request + ")");
        });
    }

    /**
     * Holds a worker thread for the time asked, then answers, whether or not the node has answered for it
     * meanwhile: that late answer must go nowhere, quietly.
     */
    private void hang(HttpServerExchange exchange) {
        Integer ms = intParameter(exchange, "ms", 0, MAX_HANG_MS);
        if (ms == null) {
            return;
        }
        Runnable hold = () -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Responses.json(exchange, StatusCodes.OK, Map.of("node", nodeName, "ms", ms));
        };
        if (exchange.isInIoThread()) {
            exchange.dispatch(hold);
        } else {
            hold.run();
        }
    }

    /** The parameter as an int in range, or null after answering 400. */
    private static Integer intParameter(HttpServerExchange exchange, String name, int min, int max) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        String value = values == null ? null : values.peekFirst();
        String expected = "?" + name + "= a whole number from " + min + " to " + max;
        if (value == null) {
            Responses.error(exchange, StatusCodes.BAD_REQUEST, "missing " + expected);
            return null;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        Responses.error(exchange, StatusCodes.BAD_REQUEST, name + ": '" + value + "' (expected: " + expected + ")");
        return null;
    }
}
