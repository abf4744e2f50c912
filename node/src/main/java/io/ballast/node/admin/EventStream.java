package io.ballast.node.admin;

import io.ballast.node.cluster.ClusterEvent;
import io.ballast.protocol.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /_ballast/events}: the cluster events this node sees, as a server-sent-event stream (Undertow's
 * {@link ServerSentEventHandler}). Each event is named for its type ({@code member-joined}, {@code member-left},
 * {@code member-suspected}, {@code member-draining}, {@code partition-merged}, {@code node-overloaded}) and carries
 * JSON: {@code {"type", "member", "detail", "at"}}. A comment every {@value #KEEP_ALIVE_MS} ms keeps idle
 * connections open through proxies.
 */
public final class EventStream implements HttpHandler {

    static final long KEEP_ALIVE_MS = 15_000;

    private final ServerSentEventHandler sse = new ServerSentEventHandler((connection, lastEventId) -> {
        connection.setKeepAliveTime(KEEP_ALIVE_MS);
        connection.send("", "hello", null, null);
    });
    private final AtomicLong ids = new AtomicLong();

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        sse.handleRequest(exchange);
    }

    /** Sends {@code event} to every open stream. */
    public void publish(ClusterEvent event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", event.type().wireName());
        body.put("member", event.member());
        body.put("detail", event.detail());
        body.put("at", event.at().toString());
        String data = Json.write(body);
        String id = Long.toString(ids.incrementAndGet());
        for (ServerSentEventConnection connection : sse.getConnections()) {
            try {
                connection.send(data, event.type().wireName(), id, null);
            } catch (RuntimeException e) {
                // a stream closing as we write: its client has gone, the others still get the event
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
