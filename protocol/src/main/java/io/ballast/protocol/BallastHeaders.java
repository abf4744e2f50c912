package io.ballast.protocol;

/**
 * Names of the HTTP headers that Ballast nodes set, read, or exchange with each other.
 */
public final class BallastHeaders {

    /** On every response: the name of the node that served the request. */
    public static final String SERVED_BY = "X-Served-By";

    /** Kept when the client sent one, made otherwise; travels with a forward and comes back on the response. */
    public static final String REQUEST_ID = "X-Request-Id";

    /** The signed hop token a node attaches to a request it forwards to a peer. */
    public static final String HOP = "X-Ballast-Hop";

    /** On a forwarded request's response: the serving node's load report, so that the sender learns it at once. */
    public static final String LOAD = "X-Ballast-Load";

    private BallastHeaders() {
    }
}
