package io.ballast.node.edge;

import java.time.Duration;

/**
 * The limits a node puts on how long it waits, in one place.
 */
public final class HttpLimits {

    /**
     * How much longer than {@code --request-timeout} a node waits for a peer it forwarded a request to: the peer
     * cuts its own application off at the timeout and answers 503 itself, which should arrive first.
     */
    public static final Duration PEER_GRACE = Duration.ofSeconds(1);

    private HttpLimits() {
    }

    /** How long a forward to a peer may take: the request timeout and {@link #PEER_GRACE}, or 0 for no limit. */
    public static int forwardTimeoutMillis(Duration requestTimeout) {
        return requestTimeout.isZero() ? 0 : (int) requestTimeout.plus(PEER_GRACE).toMillis();
    }
}
