package io.ballast.node.session;

import io.undertow.Undertow;
import io.undertow.server.session.Session;
import io.undertow.util.Sessions;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session cookie and handler on a real Undertow server, with sessions in an embedded cache. */
class SessionHandlerTest {

    private static DefaultCacheManager caches;
    private static Undertow server;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        caches = new DefaultCacheManager(new GlobalConfigurationBuilder().nonClusteredDefault()
                .jmx().enabled(false).build());
        caches.defineConfiguration("sessions", SessionCaches.lockedPerSession(new ConfigurationBuilder()).build());
        Cache<String, String> sessions = caches.getCache("sessions");
        ClusteredSessionManager manager = new ClusteredSessionManager(60);
        manager.attach(new SessionStore(sessions, null, 60));
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new SessionHandler(manager, new SessionCookie("SID"), exchange -> {
                    if (exchange.isInIoThread()) {
                        exchange.dispatch(exchange.getDispatchExecutor(), () -> {
                            Session session = Sessions.getOrCreateSession(exchange);
                            Object count = ClusteredSession.update(session, "count",
                                    n -> n == null ? 1 : (Integer) n + 1);
                            exchange.getResponseSender().send(String.valueOf(count));
                        });
                    }
                }))
                .build();
        server.start();
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        base = "http://127.0.0.1:" + address.getPort();
    }

    @AfterAll
    static void stop() {
        server.stop();
        caches.stop();
    }

    private static HttpResponse<String> get(String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/"));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String setCookie(HttpResponse<?> response) {
        List<String> cookies = response.headers().allValues("Set-Cookie");
        assertEquals(1, cookies.size(), cookies.toString());
        return cookies.get(0);
    }

    @Test
    void newSessionCookieIsHttpOnlySameSiteLaxForTheWholeSiteAndNotSecureOverPlainHttp() throws Exception {
        String cookie = setCookie(get());
        assertTrue(cookie.matches("SID=[A-Za-z0-9_-]{32}; Path=/; HttpOnly; SameSite=Lax"), cookie);
    }

    @Test
    void cookieIsSecureWhenAPeerSaysTheClientCameOverTls() throws Exception {
        String cookie = setCookie(get("X-Forwarded-Proto", "https"));
        assertTrue(cookie.contains("; Secure;"), cookie);
    }

    @Test
    void theCookieBringsTheSessionBack() throws Exception {
        String cookie = setCookie(get()).split(";")[0];
        HttpResponse<String> second = get("Cookie", cookie);
        assertEquals("2", second.body());
        assertTrue(second.headers().allValues("Set-Cookie").isEmpty(), "a known session sets no cookie");
    }

    @Test
    void forgedOrUnknownIdsGetANewSessionNeverAnError() throws Exception {
        for (String value : List.of("forged", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "\"quoted\"", "a".repeat(4000))) {
            HttpResponse<String> response = get("Cookie", "SID=" + value);
            assertEquals(200, response.statusCode(), value);
            assertEquals("1", response.body(), value);
            assertFalse(setCookie(response).startsWith("SID=" + value + ";"), value);
        }
    }
}
