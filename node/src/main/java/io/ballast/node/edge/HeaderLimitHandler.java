package io.ballast.node.edge;

import io.ballast.protocol.BallastHeaders;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;

import java.util.List;
import java.util.Map;

/**
 * Refuses a request head that Undertow's parser let through but that no node should serve or forward, and closes
 * the connection after the answer:
 *
 * <ul>
 *   <li>a request line whose HTTP version is not 1.x ({@code HTTP/2.0} on this plain port, {@code HTTP/0.9},
 *       {@code HTTP/9.9}): 505, found by {@link HttpVersionCheck}, where Undertow's parser would have served it as
 *       HTTP/1.1 or refused it with a bare 400;</li>
 *   <li>header fields over {@link HttpLimits#MAX_HEADER_BYTES}: 431; more than {@link HttpLimits#MAX_HEADERS} of
 *       them: 400. A request that carries a hop token, as a forwarded one does, has room for what the forwarding
 *       node added ({@link HttpLimits#FORWARDED_HEADER_ALLOWANCE} bytes, {@link HttpLimits#FORWARDED_HEADERS_ALLOWANCE}
 *       lines);</li>
 *   <li>a request target (path and query) over {@link HttpLimits#MAX_TARGET_BYTES}: 414;</li>
 *   <li>a {@code Transfer-Encoding} whose last coding is not {@code chunked}, or that names it twice: 400, since
 *       the body's length cannot be known (RFC 9112, 6.3). Undertow itself refuses {@code Content-Length} together
 *       with {@code Transfer-Encoding}, and either of them twice;</li>
 *   <li>more than {@link HttpLimits#MAX_COOKIES} cookies: 400. Undertow would throw when an application reads them,
 *       a client's fault that must not look like the application's.</li>
 * </ul>
 */
public final class HeaderLimitHandler implements HttpHandler {

    private static final HttpString HOP = new HttpString(BallastHeaders.HOP);

    private final HttpHandler next;

    public HeaderLimitHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String version = HttpVersionCheck.unsupported(exchange);
        if (version != null) {
            refuse(exchange, StatusCodes.HTTP_VERSION_NOT_SUPPORTED, "HTTP version not supported",
                    Map.of("version", version, "supported", List.of("HTTP/1.0", "HTTP/1.1")));
            return;
        }
        HeaderMap headers = exchange.getRequestHeaders();
        boolean forwarded = headers.contains(HOP);
        long headerBytes = headerBytes(headers);
        if (headerBytes > HttpLimits.MAX_HEADER_BYTES + (forwarded ? HttpLimits.FORWARDED_HEADER_ALLOWANCE : 0)) {
            refuse(exchange, StatusCodes.REQUEST_HEADER_FIELDS_TOO_LARGE, "request header fields too large",
                    Map.of("headerBytes", headerBytes, "maxHeaderBytes", HttpLimits.MAX_HEADER_BYTES));
            return;
        }
        long headerLines = headerLines(headers);
        if (headerLines > HttpLimits.MAX_HEADERS + (forwarded ? HttpLimits.FORWARDED_HEADERS_ALLOWANCE : 0)) {
            refuse(exchange, StatusCodes.BAD_REQUEST, "too many header fields",
                    Map.of("headers", headerLines, "maxHeaders", HttpLimits.MAX_HEADERS));
            return;
        }
        int targetBytes = targetBytes(exchange);
        if (targetBytes > HttpLimits.MAX_TARGET_BYTES) {
            refuse(exchange, StatusCodes.REQUEST_URI_TOO_LARGE, "request target too long",
                    Map.of("targetBytes", targetBytes, "maxTargetBytes", HttpLimits.MAX_TARGET_BYTES));
            return;
        }
        String transferEncoding = headers.getFirst(Headers.TRANSFER_ENCODING);
        if (transferEncoding != null && !endsInOneChunked(transferEncoding)) {
            refuse(exchange, StatusCodes.BAD_REQUEST, "Transfer-Encoding must end in chunked, once",
                    Map.of("transferEncoding", transferEncoding));
            return;
        }
        int cookies = cookieCount(headers);
        if (cookies > HttpLimits.MAX_COOKIES) {
            refuse(exchange, StatusCodes.BAD_REQUEST, "too many cookies",
                    Map.of("cookies", cookies, "maxCookies", HttpLimits.MAX_COOKIES));
            return;
        }
        next.handleRequest(exchange);
    }

    /** The header lines, one per value. */
    static long headerLines(HeaderMap headers) {
        long lines = 0;
        for (HeaderValues values : headers) {
            lines += values.size();
        }
        return lines;
    }

    /**
     * The header fields as {@code name: value} lines with their line ends, as a client sends them; with the request
     * id that {@link EdgeHandler} adds when the client sent none.
     */
    static long headerBytes(HeaderMap headers) {
        long bytes = 0;
        for (HeaderValues values : headers) {
            int name = values.getHeaderName().length();
            for (String value : values) {
                bytes += name + 2 + value.length() + 2;
            }
        }
        return bytes;
    }

    private static int targetBytes(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestURI().length() + (query == null || query.isEmpty() ? 0 : 1 + query.length());
    }

    /** Whether the codings, in order, end in {@code chunked} and name it nowhere else. */
    static boolean endsInOneChunked(String transferEncoding) {
        String[] codings = transferEncoding.split(",", -1);
        for (int i = 0; i < codings.length; i++) {
            boolean chunked = codings[i].strip().equalsIgnoreCase("chunked");
            if (chunked != (i == codings.length - 1)) {
                return false;
            }
        }
        return true;
    }

    /** The cookies in every {@code Cookie} header, counted as Undertow splits them (at {@code ;}), or more. */
    static int cookieCount(HeaderMap headers) {
        HeaderValues values = headers.get(Headers.COOKIE);
        if (values == null) {
            return 0;
        }
        int count = 0;
        for (String value : values) {
            for (String cookie : value.split(";")) {
                if (!cookie.isBlank()) {
                    count++;
                }
            }
        }
        return count;
    }

    private static void refuse(HttpServerExchange exchange, int status, String message, Map<String, ?> details) {
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        Responses.error(exchange, status, message, details);
    }
}
