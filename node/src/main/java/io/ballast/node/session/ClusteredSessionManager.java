package io.ballast.node.session;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionListener;
import io.undertow.server.session.SessionListeners;
import io.undertow.server.session.SessionManager;
import io.undertow.server.session.SessionManagerStatistics;
import io.undertow.util.AttachmentKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.Set;

/**
 * Undertow's {@link SessionManager} over the cluster's {@link SessionStore}: a session made on one node is read and
 * written on any other. Use it through {@link io.undertow.util.Sessions} as any Undertow session manager; the node
 * puts it on every request it serves ({@link SessionHandler}).
 *
 * <p>Unlike Undertow's in-memory manager, {@link #createSession} never takes the id a client sent: a cookie that
 * names no live session (unknown, expired, invalidated, forged) gets a new session under a new random id, so a
 * client cannot fix another's session id.
 *
 * <p>The session a request looks up is kept with the request, so it reads the cluster once however often it asks.
 * Listeners hear of what is done through this node: creations, attribute changes, invalidations, id changes; a
 * session that expires does so in the cache, and no listener hears of it.
 */
public final class ClusteredSessionManager implements SessionManager {

    private static final Logger LOG = LoggerFactory.getLogger(ClusteredSessionManager.class);

    /** The session looked up for a request, or none: instance-scoped, as {@link SessionManager} asks. */
    private final AttachmentKey<Lookup> lookupKey = AttachmentKey.create(Lookup.class);
    private final SessionListeners listeners = new SessionListeners();
    private volatile int defaultTimeout;
    private volatile SessionStore store;

    private static final class Lookup {
        ClusteredSession session;

        Lookup(ClusteredSession session) {
            this.session = session;
        }
    }

    /** @param defaultTimeout the idle timeout of new sessions, in seconds; 0 or less: they never expire */
    public ClusteredSessionManager(int defaultTimeout) {
        this.defaultTimeout = defaultTimeout;
    }

    /** Connects the manager to the cluster's sessions, once the node has joined its cluster. */
    public void attach(SessionStore sessionStore) {
        this.store = Objects.requireNonNull(sessionStore, "sessionStore");
    }

    SessionStore store() {
        SessionStore current = store;
        if (current == null) {
            throw new IllegalStateException("sessions are not available before this node has joined its cluster");
        }
        return current;
    }

    SessionListeners listeners() {
        return listeners;
    }

    /** Counts the sessions whose primary owner is this node again, for {@link #primaryOwnedCount()}. */
    public void recount() {
        SessionStore current = store;
        if (current != null) {
            current.recount();
        }
    }

    /** The live sessions whose primary owner is this node, as last counted; 0 before the node has joined. */
    public long primaryOwnedCount() {
        SessionStore current = store;
        return current == null ? 0 : current.primaryOwnedCount();
    }

    @Override
    public String getDeploymentName() {
        return "ballast";
    }

    @Override
    public void start() {
        // the caches belong to the node's membership, which starts and stops them
    }

    @Override
    public void stop() {
        // as start()
    }

    /**
     * A new session under a new id, stored at once, with its cookie set on the response.
     *
     * @throws IllegalStateException when this request already has a live session
     */
    @Override
    public Session createSession(HttpServerExchange exchange, SessionConfig config) {
        Objects.requireNonNull(config, "config");
        Lookup lookup = exchange.getAttachment(lookupKey);
        if (lookup != null && lookup.session != null && !lookup.session.isInvalid()) {
            throw new IllegalStateException("this request already has session " + lookup.session);
        }
        ClusteredSession session = new ClusteredSession(this, store().create(defaultTimeout));
        config.setSessionId(exchange, session.getId());
        exchange.putAttachment(lookupKey, new Lookup(session));
        listeners.sessionCreated(session, exchange);
        return session;
    }

    /** The session the request's cookie names, when it is live; else null. Reads the cluster once per request. */
    @Override
    public Session getSession(HttpServerExchange exchange, SessionConfig config) {
        if (exchange == null) {
            return null;
        }
        Lookup lookup = exchange.getAttachment(lookupKey);
        if (lookup != null) {
            return lookup.session == null || lookup.session.isInvalid() ? null : lookup.session;
        }
        ClusteredSession session = config == null ? null : load(config.findSessionId(exchange));
        exchange.putAttachment(lookupKey, new Lookup(session));
        return session;
    }

    @Override
    public Session getSession(String sessionId) {
        return load(sessionId);
    }

    private ClusteredSession load(String id) {
        if (!SessionIds.isWellFormed(id)) {
            return null;
        }
        SessionStore.Copy copy = store().read(id);
        return copy == null ? null : new ClusteredSession(this, copy);
    }

    /** At the end of a request: records the access to the session it used, if any (never reads the cluster). */
    void requestDone(HttpServerExchange exchange) {
        Lookup lookup = exchange.getAttachment(lookupKey);
        if (lookup != null && lookup.session != null) {
            try {
                lookup.session.requestDone(exchange);
            } catch (RuntimeException e) {
                LOG.debug("access to {} not recorded: {}", lookup.session, e.toString());
            }
        }
    }

    /** The request's session was invalidated: it has none now, and the client is told to drop the cookie. */
    void forget(HttpServerExchange exchange, ClusteredSession session) {
        Lookup lookup = exchange.getAttachment(lookupKey);
        if (lookup != null && lookup.session == session) {
            lookup.session = null;
        }
        SessionConfig config = exchange.getAttachment(SessionConfig.ATTACHMENT_KEY);
        if (config != null) {
            config.clearSession(exchange, session.getId());
        }
    }

    @Override
    public void registerSessionListener(SessionListener listener) {
        listeners.addSessionListener(listener);
    }

    @Override
    public void removeSessionListener(SessionListener listener) {
        listeners.removeSessionListener(listener);
    }

    /** The idle timeout, in seconds, of sessions created through this node from now on. */
    @Override
    public void setDefaultSessionTimeout(int timeout) {
        this.defaultTimeout = timeout;
    }

    /** None while another member or the disk backup keeps them; all of them on a lone node without a backup. */
    @Override
    public Set<String> getTransientSessions() {
        SessionStore current = store();
        return current.sessionsDieWithThisNode() ? current.liveIds() : Set.of();
    }

    /** Every live session of the cluster: walks all of them, for tools rather than requests. */
    @Override
    public Set<String> getActiveSessions() {
        return store().liveIds();
    }

    /** Every live session of the cluster (none is ever passivated): as {@link #getActiveSessions()}. */
    @Override
    public Set<String> getAllSessions() {
        return store().liveIds();
    }

    /** Not kept: the node's metrics count sessions ({@code ballast_sessions}). */
    @Override
    public SessionManagerStatistics getStatistics() {
        return null;
    }
}
