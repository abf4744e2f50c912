package io.ballast.node.admin;

import io.ballast.node.cluster.ClusterEvent;
import io.ballast.node.edge.Responses;
import io.ballast.protocol.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.StatusCodes;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /_ballast/events}: the cluster events this node sees, as a server-sent-event stream (Undertow's
 * {@link ServerSentEventHandler}). Each event is named for its type ({@code member-joined}, {@code member-left},
 * {@code member-suspected}, {@code member-draining}, {@code partition-merged}, {@code node-overloaded}) and carries
 * JSON: {@code {"type", "member", "detail", "at"}}. {@code ?recent=N} (up to {@value #RECENT_KEPT}) first sends the
 * last N events this node saw, oldest first, so that a page opened late has a history. A comment every
 * {@value #KEEP_ALIVE_MS} ms keeps idle connections open through proxies.
 */
public final class EventStream implements HttpHandler {

    static final long KEEP_ALIVE_MS = 15_000;
    /** How many past events a stream can ask for. */
    static final int RECENT_KEPT = 50;
    private static final String RECENT = "recent";

    private record Sent(String data, String type, String id) {
    }

    /** The last events sent, oldest first; guarded by itself, which also orders every send. */
    private final Deque<Sent> recent = new ArrayDeque<>();
    private final ServerSentEventHandler sse = new ServerSentEventHandler((connection, lastEventId) -> {
        connection.setKeepAliveTime(KEEP_ALIVE_MS);
        Deque<String> asked = connection.getQueryParameters().get(RECENT);
        int wanted = Math.max(0, recentWanted(asked == null ? null : asked.peekFirst()));
        synchronized (recent) {
            // under the lock, so that no event is sent to this stream between the hello and the replay
            connection.send("", "hello", null, null);
            int skip = Math.max(0, recent.size() - wanted);
            for (Sent past : recent) {
                if (skip-- <= 0) {
                    connection.send(past.data(), past.type(), past.id(), null);
                }
            }
        }
    });
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Deque<String> asked = exchange.getQueryParameters().get(RECENT);
        if (asked != null && recentWanted(asked.peekFirst()) < 0) {
            Responses.error(exchange, StatusCodes.BAD_REQUEST, "recent: '" + asked.peekFirst()
                    + "' (expected: a whole number from 0 to " + RECENT_KEPT + ")");
            return;
        }
        sse.handleRequest(exchange);
    }

    /** How many past events {@code value} asks for: 0 when absent, -1 when it is not a number in range. */
    private static int recentWanted(String value) {
        if (value == null) {
            return 0;
        }
        try {
            int wanted = Integer.parseInt(value);
            return wanted >= 0 && wanted <= RECENT_KEPT ? wanted : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Sends {@code event} to every open stream, and keeps it for the streams that ask for recent events. */
    public void publish(ClusterEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.type().wireName());
        body.put("member", event.member());
        body.put("detail", event.detail());
        body.put("at", event.at().toString());
        Sent sent = new Sent(Json.write(body), event.type().wireName(), Long.toString(ids.incrementAndGet()));
        synchronized (recent) {
            recent.addLast(sent);
            if (recent.size() > RECENT_KEPT) {
                recent.removeFirst();
            }
            for (ServerSentEventConnection connection : sse.getConnections()) {
                try {
                    connection.send(sent.data(), sent.type(), sent.id(), null);
                } catch (RuntimeException e) {
                    // a stream closing as we write: its client has gone, the others still get the event
                }
            }
        }
    }

    /** Ends every open stream, for a node that stops. */
    public void close() {
        for (ServerSentEventConnection connection : sse.getConnections()) {
            try {
                connection.close();
            } catch (IOException e) {
                // the client is gone already
            }
        }
    }
}
