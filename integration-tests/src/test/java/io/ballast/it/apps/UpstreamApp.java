package io.ballast.it.apps;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A small HTTP application of its own, run as a separate process behind a node's {@code --upstream}:
 * <ul>
 *   <li>{@code POST /digest}: answers the SHA-256 and length of the request body;</li>
 *   <li>{@code GET /bytes?size=N&seed=S}: answers N reproducible bytes (see {@link Bytes#stream});</li>
 *   <li>{@code GET /hello}: answers who it is;</li>
 *   <li>{@code GET /sleep?ms=N}: answers after N ms, a slow application.</li>
 * </ul>
 * Usage: {@code java io.ballast.it.apps.UpstreamApp ADDRESS PORT NAME}.
 */
public final class UpstreamApp {

    private UpstreamApp() {
    }

    public static void main(String[] args) throws IOException {
        String name = args[2];
        HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 64);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/digest", exchange -> {
            long[] length = new long[1];
            String digest;
            try (InputStream body = exchange.getRequestBody()) {
                digest = Bytes.sha256(body, length);
            }
            send(exchange, 200, "{\"sha256\":\"" + digest + "\",\"length\":" + length[0] + ",\"app\":\"" + name
                    + "\"}");
        });
        server.createContext("/bytes", exchange -> {
            Map<String, String> query = query(exchange.getRequestURI());
            long size = Long.parseLong(query.get("size"));
            long seed = Long.parseLong(query.get("seed"));
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, size);
            try (OutputStream out = exchange.getResponseBody(); InputStream in = Bytes.stream(seed, size)) {
                Bytes.copy(in, out);
            }
        });
        server.createContext("/hello", exchange -> send(exchange, 200, "hello from app " + name + "\n"));
        server.createContext("/sleep", exchange -> {
            long ms = Long.parseLong(query(exchange.getRequestURI()).get("ms"));
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                send(exchange, 200, "slept " + ms + " ms\n");
            } catch (IOException e) {
                exchange.close(); // the node gave up on this request meanwhile
            }
        });
        server.start();
        System.out.println("upstream app " + name + " listening on " + args[0] + ":" + args[1]);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int eq = pair.indexOf('=');
                query.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return query;
    }
}
