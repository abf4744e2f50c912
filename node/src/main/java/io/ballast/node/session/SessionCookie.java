package io.ballast.node.session;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.server.session.SessionConfig;
import io.undertow.util.HttpString;

/**
 * The session cookie, after Undertow's {@code SessionCookieConfig}: name configurable ({@code --session-cookie},
 * {@code JSESSIONID} by default), {@code Path=/}, {@code HttpOnly}, {@code SameSite=Lax}, no expiry (it lasts the
 * browser session; the server ends idle sessions), and {@code Secure} when the client's request came over TLS.
 *
 * <p>A request came over TLS when this node received it over TLS, or when it carries
 * {@code X-Forwarded-Proto: https}: the node's routing drops every {@code X-Forwarded-*} header of a request that
 * has no valid hop token, so at the serving node that header can only have been set by a peer that forwarded the
 * client's request.
 *
 * <p>A cookie value that cannot be a session id of ours is ignored as if absent: it is never looked up.
 */
public final class SessionCookie implements SessionConfig {

    private static final HttpString FORWARDED_PROTO = new HttpString("X-Forwarded-Proto");

    private final String name;

    public SessionCookie(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public void setSessionId(HttpServerExchange exchange, String sessionId) {
        exchange.setResponseCookie(cookie(exchange, sessionId));
    }

    @Override
    public void clearSession(HttpServerExchange exchange, String sessionId) {
        exchange.setResponseCookie(cookie(exchange, sessionId).setMaxAge(0));
    }

    private CookieImpl cookie(HttpServerExchange exchange, String sessionId) {
        CookieImpl cookie = new CookieImpl(name, sessionId)
                .setPath("/")
                .setHttpOnly(true)
                .setSecure(cameOverTls(exchange));
        cookie.setSameSiteMode("Lax");
        return cookie;
    }

    /** Whether the client sent this request over TLS, to this node or to the peer that forwarded it. */
    static boolean cameOverTls(HttpServerExchange exchange) {
        return "https".equalsIgnoreCase(exchange.getRequestScheme())
                || "https".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(FORWARDED_PROTO));
    }

    @Override
    public String findSessionId(HttpServerExchange exchange) {
        Cookie cookie = exchange.getRequestCookie(name);
        if (cookie == null || !SessionIds.isWellFormed(cookie.getValue())) {
            return null;
        }
        return cookie.getValue();
    }

    @Override
    public SessionCookieSource sessionCookieSource(HttpServerExchange exchange) {
        return findSessionId(exchange) != null ? SessionCookieSource.COOKIE : SessionCookieSource.NONE;
    }

    @Override
    public String rewriteUrl(String originalUrl, String sessionId) {
        return originalUrl;
    }
}
