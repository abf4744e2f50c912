package io.ballast.node.admin;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * {@code GET /_ballast/}: the live cluster page, an HTML file with one script and one style sheet, all read from the
 * jar. The script polls {@code /_ballast/cluster} and reads {@code /_ballast/events}; it writes everything it shows
 * as text. The responses allow the browser nothing from elsewhere (no CDN, no inline script) and no type sniffing.
 */
final class ClusterPage {

    /**
     * Only this node's own files and endpoints: no inline script or style, no other origin, no framing, no
     * {@code <base>} or form that could point elsewhere.
     */
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final HttpString CSP = new HttpString("Content-Security-Policy");
    private static final HttpString CONTENT_TYPE_OPTIONS = new HttpString("X-Content-Type-Options");
    private static final HttpString REFERRER_POLICY = new HttpString("Referrer-Policy");

    private record Resource(String contentType, byte[] body) {
    }

    /** Endpoint (the path after {@code /_ballast/}) to file: the page itself is the empty endpoint. */
    private final Map<String, Resource> files = Map.of(
            "", load("index.html", "text/html; charset=utf-8"),
            "page.js", load("page.js", "text/javascript; charset=utf-8"),
            "page.css", load("page.css", "text/css; charset=utf-8"),
            "favicon.svg", load("favicon.svg", "image/svg+xml"));

    /** Whether {@code endpoint} is one of the page's files. */
    boolean serves(String endpoint) {
        return files.containsKey(endpoint);
    }

    void send(HttpServerExchange exchange, String endpoint) {
        Resource file = files.get(endpoint);
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, file.contentType())
                .put(Headers.CACHE_CONTROL, "no-cache")
                .put(CSP, CONTENT_SECURITY_POLICY)
                .put(CONTENT_TYPE_OPTIONS, "nosniff")
                .put(REFERRER_POLICY, "no-referrer");
        exchange.getResponseSender().send(ByteBuffer.wrap(file.body()));
    }

    private static Resource load(String name, String contentType) {
        try (InputStream in = ClusterPage.class.getResourceAsStream("page/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks io/ballast/node/admin/page/" + name);
            }
            return new Resource(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster page's " + name, e);
        }
    }
}
