package io.ballast.it.apps;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;

/**
 * A WebSocket server of its own, run as a separate process behind a node's {@code --upstream}: {@code /ws} greets
 * each connection with {@code app NAME} (and {@code via ...} when the handshake came through a forward), then
 * sends back every text message; {@code /hello} answers plain HTTP. Usage:
 * {@code java io.ballast.it.apps.WebSocketEchoApp ADDRESS PORT NAME}.
 */
public final class WebSocketEchoApp {

    private WebSocketEchoApp() {
    }

    public static void main(String[] args) {
        String name = args[2];
        Undertow server = Undertow.builder().addHttpListener(Integer.parseInt(args[1]), args[0])
                .setHandler(Handlers.path(exchange -> exchange.getResponseSender().send("hello from app " + name))
                        .addPrefixPath("/ws", Handlers.websocket((handshake, channel) -> {
                            String via = handshake.getRequestHeader("Via");
                            WebSockets.sendText("app " + name + (via == null ? "" : " via " + via), channel, null);
                            channel.getReceiveSetter().set(new AbstractReceiveListener() {
                                @Override
                                protected void onFullTextMessage(WebSocketChannel ch, BufferedTextMessage message) {
                                    WebSockets.sendText(message.getData(), ch, null);
                                }
                            });
                            channel.resumeReceives();
                        })))
                .build();
        server.start();
        System.out.println("websocket app " + name + " listening on " + args[0] + ":" + args[1]);
    }
}
