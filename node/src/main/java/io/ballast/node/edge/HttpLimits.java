package io.ballast.node.edge;

import io.ballast.node.config.NodeConfig;
import io.undertow.UndertowOptions;
import org.xnio.OptionMap;

import java.time.Duration;

/**
 * Every limit a node puts on what a client sends and on how long it waits, in one place. Undertow's parser enforces
 * the hard ones before any handler runs (400 and the connection closed, or just closed for the timeouts);
 * {@link HeaderLimitHandler} gives the finer answers (414, 431) below them, and {@link BodyLimitHandler} the 413.
 */
public final class HttpLimits {

    /** The request header fields (each counted as {@code name: value} and a line end) a node accepts; more: 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;

    /** Header lines in one request; more: 400. */
    public static final int MAX_HEADERS = 100;

    /**
     * How many more bytes of header fields a request forwarded by a peer may carry: the {@code X-Forwarded-*}, {@code
     * Via} and hop token headers the peer added, so that a request the first node accepted is not refused by the
     * second.
     */
    public static final int FORWARDED_HEADER_ALLOWANCE = 1024;

    /** How many more header lines a request forwarded by a peer may carry, for the same reason. */
    public static final int FORWARDED_HEADERS_ALLOWANCE = 16;

    /** The longest request target (path and query) a node accepts; longer: 414. */
    public static final int MAX_TARGET_BYTES = 16 * 1024;

    /**
     * Undertow stops reading a request head (request line and headers together) past this: 400 and the connection
     * closed. Above the two limits before, so that a head just over either still gets its precise answer.
     */
    public static final int HARD_MAX_HEAD_BYTES = 64 * 1024;

    /** Undertow's parser refuses a request with more header lines than this: 400 and the connection closed. */
    public static final int HARD_MAX_HEADERS = 128;

    /** Query parameters in one request; more: 400 and the connection closed (Undertow's parser). */
    public static final int MAX_PARAMETERS = 1000;

    /** Cookies in one request; more: 400 ({@link HeaderLimitHandler}, before Undertow would parse them). */
    public static final int MAX_COOKIES = 200;

    /**
     * How much longer than {@code --request-timeout} a node waits for a peer it forwarded a request to: the peer
     * cuts its own application off at the timeout and answers 503 itself, which should arrive first.
     */
    public static final Duration PEER_GRACE = Duration.ofSeconds(1);

    private HttpLimits() {
    }

    /** Undertow's limits and timeouts for every connection: the parser's, the body's, the connections'. */
    public static OptionMap serverOptions(NodeConfig config) {
        return OptionMap.builder()
                .set(UndertowOptions.MAX_HEADER_SIZE, HARD_MAX_HEAD_BYTES)
                .set(UndertowOptions.MAX_HEADERS, HARD_MAX_HEADERS)
                .set(UndertowOptions.MAX_PARAMETERS, MAX_PARAMETERS)
                .set(UndertowOptions.MAX_COOKIES, MAX_COOKIES)
                .set(UndertowOptions.MAX_ENTITY_SIZE, config.maxBody())
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) config.headerTimeout().toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) config.idleTimeout().toMillis())
                .getMap();
    }

    /** How long a forward to a peer may take: the request timeout and {@link #PEER_GRACE}, or 0 for no limit. */
    public static int forwardTimeoutMillis(Duration requestTimeout) {
        return requestTimeout.isZero() ? 0 : (int) requestTimeout.plus(PEER_GRACE).toMillis();
    }
}
