package io.ballast.node.session;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.SessionConfig;
import io.undertow.server.session.SessionManager;

/**
 * Puts the cluster's session manager and the session cookie on every request served here, for
 * {@link io.undertow.util.Sessions#getOrCreateSession} and friends; at the end of a request that used a session, has
 * its access recorded. Like Undertow's {@code SessionAttachmentHandler}, but a request that never asks for its
 * session never reads the cluster, cookie or not.
 */
public final class SessionHandler implements HttpHandler {

    private final ClusteredSessionManager manager;
    private final SessionCookie cookie;
    private final HttpHandler next;

    public SessionHandler(ClusteredSessionManager manager, SessionCookie cookie, HttpHandler next) {
        this.manager = manager;
        this.cookie = cookie;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        exchange.putAttachment(SessionManager.ATTACHMENT_KEY, manager);
        exchange.putAttachment(SessionConfig.ATTACHMENT_KEY, cookie);
        exchange.addExchangeCompleteListener((done, nextListener) -> {
            try {
                manager.requestDone(done);
            } finally {
                nextListener.proceed();
            }
        });
        next.handleRequest(exchange);
    }
}
