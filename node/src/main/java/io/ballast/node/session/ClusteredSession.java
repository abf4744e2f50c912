package io.ballast.node.session;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionListener;

import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A session as one request sees it: the copy read at its start, and every change written through to the cluster at
 * once (so that it is visible on any node before the response goes out). Attribute values are limited to the types
 * {@link AttributeCodec#ALLOWED}; anything else is refused by {@link #setAttribute} with an
 * {@link IllegalArgumentException}.
 *
 * <p>{@link #setAttribute} changes one attribute of the latest copy: two requests that set different attributes
 * both keep their change; two that set the same one, the later wins. A change that depends on the value before it
 * (a counter, a list that grows) should use {@link #update}, which applies it to the latest value atomically.
 *
 * <p>One object per request: not meant to be shared between requests or threads.
 */
public final class ClusteredSession implements Session {

    private final ClusteredSessionManager manager;
    private SessionStore.Copy current;
    private boolean invalid;

    ClusteredSession(ClusteredSessionManager manager, SessionStore.Copy current) {
        this.manager = manager;
        this.current = current;
    }

    /**
     * Sets attribute {@code name} to {@code change} applied to its current value (null when unset; the result null
     * removes it), atomically with respect to every other write to the session on any node: the change may run more
     * than once, on newer values, until one result is stored. Returns the value stored.
     *
     * <pre>{@code
     * int count = (Integer) ClusteredSession.update(session, "count", n -> n == null ? 1 : (Integer) n + 1);
     * }</pre>
     *
     * @throws IllegalArgumentException when the result is of a type that cannot be stored
     * @throws SessionGoneException     when the session was invalidated or expired meanwhile
     */
    public synchronized Object update(String name, UnaryOperator<Object> change) {
        checkLive();
        Object[] result = new Object[2];
        SessionStore.Written written = write(latest -> {
            Object before = latest.attribute(name);
            Object after = change.apply(before);
            result[0] = before;
            result[1] = after;
            return after == null ? latest.without(name) : latest.with(name, AttributeCodec.encode(name, after));
        });
        current = written.after();
        notifyChange(name, result[0], result[1]);
        return result[1] == null ? null : current.data().attribute(name);
    }

    /**
     * {@link #update(String, UnaryOperator)} on any Undertow session: atomic on a Ballast session, a plain read and
     * write on others.
     */
    public static Object update(Session session, String name, UnaryOperator<Object> change) {
        if (session instanceof ClusteredSession clustered) {
            return clustered.update(name, change);
        }
        Object after = change.apply(session.getAttribute(name));
        if (after == null) {
            session.removeAttribute(name);
        } else {
            session.setAttribute(name, after);
        }
        return after;
    }

    @Override
    public synchronized String getId() {
        return current.id();
    }

    /** Records the access when the recorded one lags too far, without holding up the request. */
    @Override
    public synchronized void requestDone(HttpServerExchange exchange) {
        if (!invalid && current.data().needsTouch(manager.store().now())) {
            manager.store().touch(current);
        }
    }

    @Override
    public synchronized long getCreationTime() {
        checkLive();
        return current.data().created();
    }

    /** The last access recorded: it may lag the real one by a tenth of the timeout, at most a minute. */
    @Override
    public synchronized long getLastAccessedTime() {
        checkLive();
        return current.data().accessed();
    }

    @Override
    public synchronized void setMaxInactiveInterval(int interval) {
        checkLive();
        current = write(latest -> latest.withTimeout(interval)).after();
    }

    @Override
    public synchronized int getMaxInactiveInterval() {
        checkLive();
        return current.data().timeout();
    }

    @Override
    public synchronized Object getAttribute(String name) {
        checkLive();
        return current.data().attribute(name);
    }

    @Override
    public synchronized Set<String> getAttributeNames() {
        checkLive();
        return Set.copyOf(current.data().attributes().keySet());
    }

    /**
     * Stores {@code value} as attribute {@code name}, on every node at once; null removes it.
     *
     * @return the value it replaced, or null
     * @throws IllegalArgumentException when {@code value} (or anything in it) is not of a type
     *                                  {@link AttributeCodec#ALLOWED}; nothing is written then
     * @throws SessionGoneException     when the session was invalidated or expired meanwhile
     */
    @Override
    public synchronized Object setAttribute(String name, Object value) {
        if (value == null) {
            return removeAttribute(name);
        }
        checkLive();
        var encoded = AttributeCodec.encode(name, value);
        SessionStore.Written written = write(latest -> latest.with(name, encoded));
        current = written.after();
        Object before = written.before().data().attribute(name);
        notifyChange(name, before, value);
        return before;
    }

    @Override
    public synchronized Object removeAttribute(String name) {
        checkLive();
        if (!current.data().attributes().containsKey(name)) {
            return null;
        }
        SessionStore.Written written = write(latest -> latest.without(name));
        current = written.after();
        Object before = written.before().data().attribute(name);
        notifyChange(name, before, null);
        return before;
    }

    /** Writes a change to the latest copy; a session found gone is gone for this object too. */
    private SessionStore.Written write(UnaryOperator<SessionData> edit) {
        try {
            return manager.store().write(current, edit);
        } catch (SessionGoneException e) {
            invalid = true;
            throw e;
        }
    }

    private void notifyChange(String name, Object before, Object after) {
        if (after == null) {
            if (before != null) {
                manager.listeners().attributeRemoved(this, name, before);
            }
        } else if (before == null) {
            manager.listeners().attributeAdded(this, name, after);
        } else {
            manager.listeners().attributeUpdated(this, name, after, before);
        }
    }

    /** Ends the session on every node at once, and tells the client to drop its cookie. */
    @Override
    public void invalidate(HttpServerExchange exchange) {
        synchronized (this) {
            checkLive();
            manager.store().invalidate(current);
            invalid = true;
        }
        manager.listeners().sessionDestroyed(this, exchange, SessionListener.SessionDestroyedReason.INVALIDATED);
        if (exchange != null) {
            manager.forget(exchange, this);
        }
    }

    @Override
    public ClusteredSessionManager getSessionManager() {
        return manager;
    }

    /** Moves the session to a new id (e.g. after a login, against session fixation); the old id is dead at once. */
    @Override
    public String changeSessionId(HttpServerExchange exchange, SessionConfig config) {
        String oldId;
        String newId;
        synchronized (this) {
            checkLive();
            oldId = current.id();
            try {
                current = manager.store().rename(current);
            } catch (SessionGoneException e) {
                invalid = true;
                throw e;
            }
            newId = current.id();
        }
        config.setSessionId(exchange, newId);
        manager.listeners().sessionIdChanged(this, oldId);
        return newId;
    }

    synchronized boolean isInvalid() {
        return invalid;
    }

    private void checkLive() {
        if (invalid) {
            throw new IllegalStateException("session " + SessionGoneException.abbreviated(current.id())
                    + " has been invalidated");
        }
    }

    @Override
    public String toString() {
        return "ClusteredSession[" + SessionGoneException.abbreviated(current.id()) + "]";
    }
}
