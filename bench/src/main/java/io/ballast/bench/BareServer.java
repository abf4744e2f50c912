package io.ballast.bench;

import io.ballast.protocol.BallastHeaders;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;

import java.util.Arrays;
import java.util.List;

/**
 * A bare Undertow server that answers {@code GET /hello} as the demo app does, and nothing else: none of Ballast's
 * chain (recovery, operator endpoints, rate limit, routing, metering, request ids). Built with Undertow's defaults,
 * as a node's server is, so that the two differ only by the chain. Run by the bench as a child process:
 * {@code java -cp ballast-bench.jar io.ballast.bench.BareServer --bind 127.42.7.9 --port 21000}.
 */
public final class BareServer {

    /** The name it answers with in {@code X-Served-By}. */
    public static final String NAME = "bare";

    /** The line it prints on standard output once it listens. */
    public static final String READY_LINE = "bare server listening";

    private static final HttpString SERVED_BY = new HttpString(BallastHeaders.SERVED_BY);

    private BareServer() {
    }

    public static void main(String[] args) {
        List<String> list = Arrays.asList(args);
        if (list.size() != 4 || !list.get(0).equals("--bind") || !list.get(2).equals("--port")) {
            System.err.println("usage: BareServer --bind ADDRESS --port PORT");
            System.exit(2);
        }
        String bind = list.get(1);
        int port = Integer.parseInt(list.get(3));
        Undertow server = Undertow.builder()
                .addHttpListener(port, bind)
                .setHandler(exchange -> {
                    if (!exchange.getRequestPath().equals("/hello")) {
                        exchange.setStatusCode(StatusCodes.NOT_FOUND);
                        exchange.endExchange();
                        return;
                    }
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                    exchange.getResponseHeaders().put(SERVED_BY, NAME);
                    exchange.getResponseSender().send("Hello from " + NAME + "\n");
                })
                .build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "bare-server-stop"));
        System.out.println(READY_LINE + " on http://" + bind + ":" + port);
        System.out.flush();
    }
}
