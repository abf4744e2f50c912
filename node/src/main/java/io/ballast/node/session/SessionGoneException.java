package io.ballast.node.session;

/**
 * The session was invalidated or has expired (on this node or any other) since this request read it: there is
 * nothing left to write to. A request that gets this can start a new session.
 */
public final class SessionGoneException extends IllegalStateException {

    public SessionGoneException(String id) {
        super("session " + abbreviated(id) + " was invalidated or has expired");
    }

    /** Enough of an id to tell sessions apart in a log, not enough to take one over. */
    static String abbreviated(String id) {
        return id.length() <= 6 ? id : id.substring(0, 6) + "…";
    }
}
