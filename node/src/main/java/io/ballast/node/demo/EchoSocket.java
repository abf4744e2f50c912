package io.ballast.node.demo;

import io.ballast.node.edge.Responses;
import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.spi.WebSocketHttpExchange;

/**
 * The demo app's {@code /ws}: a WebSocket that says which node it is connected to (and, when a peer forwarded the
 * handshake, by which {@code Via}), then sends back every text message it gets, until either side closes.
 */
final class EchoSocket {

    private EchoSocket() {
    }

    static HttpHandler handler(String nodeName) {
        WebSocketConnectionCallback onConnect = (WebSocketHttpExchange handshake, WebSocketChannel channel) -> {
            String via = handshake.getRequestHeader("Via");
            WebSockets.sendText("connected to " + nodeName + (via == null ? "" : " via " + via), channel, null);
            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                @Override
                protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
                    WebSockets.sendText(message.getData(), channel, null);
                }
            });
            channel.resumeReceives();
        };
        return Handlers.websocket(onConnect, exchange -> Responses.error(exchange, StatusCodes.BAD_REQUEST,
                "a WebSocket endpoint: open it with a WebSocket client (Upgrade: websocket)"));
    }
}
