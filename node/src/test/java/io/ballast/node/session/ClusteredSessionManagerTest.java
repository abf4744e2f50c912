package io.ballast.node.session;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.session.Session;
import io.undertow.server.session.SessionConfig;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The session manager over an embedded (local) Infinispan cache, locked per session as the cluster's is: two
 * managers on one cache play two nodes of a cluster, since every rule here is about what the cache holds, not how it
 * got there.
 */
class ClusteredSessionManagerTest {

    private static final int TIMEOUT = 60;

    private static DefaultCacheManager caches;
    private final AtomicLong clock = new AtomicLong(1_767_225_600_000L);
    private Cache<String, String> cluster;
    private Cache<String, String> backupA;
    private Cache<String, String> backupB;
    private ClusteredSessionManager nodeA;
    private ClusteredSessionManager nodeB;

    /** A session cookie reduced to what the manager uses: the id the client sent, the id it was told. */
    private static final class StubCookie implements SessionConfig {
        String sent;
        String set;
        String cleared;

        @Override
        public void setSessionId(HttpServerExchange exchange, String sessionId) {
            set = sessionId;
        }

        @Override
        public void clearSession(HttpServerExchange exchange, String sessionId) {
            cleared = sessionId;
        }

        @Override
        public String findSessionId(HttpServerExchange exchange) {
            return sent;
        }

        @Override
        public SessionCookieSource sessionCookieSource(HttpServerExchange exchange) {
            return sent == null ? SessionCookieSource.NONE : SessionCookieSource.COOKIE;
        }

        @Override
        public String rewriteUrl(String originalUrl, String sessionId) {
            return originalUrl;
        }
    }

    @BeforeAll
    static void startCaches() {
        caches = new DefaultCacheManager(new GlobalConfigurationBuilder().nonClusteredDefault()
                .jmx().enabled(false).build());
        ConfigurationBuilder counted = SessionCaches.lockedPerSession(new ConfigurationBuilder());
        counted.statistics().enable();
        caches.defineConfiguration("sessions", counted.build());
        caches.defineConfiguration("backup-a", new ConfigurationBuilder().build());
        caches.defineConfiguration("backup-b", new ConfigurationBuilder().build());
    }

    @AfterAll
    static void stopCaches() {
        caches.stop();
    }

    @BeforeEach
    void freshNodes() {
        cluster = caches.getCache("sessions");
        backupA = caches.getCache("backup-a");
        backupB = caches.getCache("backup-b");
        cluster.clear();
        backupA.clear();
        backupB.clear();
        cluster.getAdvancedCache().getStats().reset();
        nodeA = node(cluster, backupA);
        nodeB = node(cluster, backupB);
    }

    private ClusteredSessionManager node(Cache<String, String> sessions, Cache<String, String> backup) {
        ClusteredSessionManager manager = new ClusteredSessionManager(TIMEOUT);
        manager.attach(new SessionStore(sessions, backup, TIMEOUT, new SessionIds(), clock::get));
        return manager;
    }

    /** One request to {@code node} with {@code cookie} (the id the client sends, or null). */
    private static Session request(ClusteredSessionManager node, String cookie, boolean create) {
        StubCookie config = new StubCookie();
        config.sent = cookie;
        HttpServerExchange exchange = new HttpServerExchange(null);
        Session session = node.getSession(exchange, config);
        if (session == null && create) {
            session = node.createSession(exchange, config);
            assertEquals(session.getId(), config.set, "the new id goes out in the cookie");
        }
        return session;
    }

    @Test
    void sessionMadeThroughOneNodeIsReadAndWrittenThroughAnother() {
        Session made = request(nodeA, null, true);
        made.setAttribute("user", "ada");
        made.setAttribute("cart", List.of("tea", 2));
        Session there = request(nodeB, made.getId(), false);
        assertNotNull(there);
        assertEquals("ada", there.getAttribute("user"));
        assertEquals(List.of("tea", 2), there.getAttribute("cart"));
        there.setAttribute("user", "grace");
        assertEquals("grace", request(nodeA, made.getId(), false).getAttribute("user"));
    }

    @Test
    void attributeOfADisallowedTypeIsRefusedAndNothingIsWritten() {
        Session session = request(nodeA, null, true);
        String before = cluster.get(session.getId());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session.setAttribute("when", java.time.Instant.EPOCH));
        assertEquals("session attribute 'when': a java.time.Instant cannot be stored in a session (allowed: "
                + AttributeCodec.ALLOWED + ")", e.getMessage());
        assertEquals(before, cluster.get(session.getId()));
        assertNull(session.getAttribute("when"));
    }

    @Test
    void concurrentIncrementsThroughTwoNodesLoseNothing() throws Exception {
        String id = request(nodeA, null, true).getId();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> clients = List.of(
                    threads.submit(() -> increment(nodeA, id, 500)),
                    threads.submit(() -> increment(nodeB, id, 500)));
            for (Future<?> client : clients) {
                client.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1000, request(nodeB, id, false).getAttribute("count"));
    }

    private static void increment(ClusteredSessionManager node, String id, int times) {
        for (int i = 0; i < times; i++) {
            ClusteredSession.update(request(node, id, false), "count", n -> n == null ? 1 : (Integer) n + 1);
        }
    }

    @Test
    void settingDifferentAttributesFromStaleCopiesKeepsBoth() {
        String id = request(nodeA, null, true).getId();
        Session first = request(nodeA, id, false);
        Session second = request(nodeB, id, false);
        first.setAttribute("a", 1);
        second.setAttribute("b", 2);
        Session now = request(nodeA, id, false);
        assertEquals(1, now.getAttribute("a"));
        assertEquals(2, now.getAttribute("b"));
    }

    @Test
    void invalidationIsSeenEverywhereAtOnceAndTheIdNeverComesBack() {
        Session session = request(nodeA, null, true);
        String id = session.getId();
        Session there = request(nodeB, id, false);
        session.invalidate(null);
        assertNull(request(nodeB, id, false));
        assertNull(nodeA.getSession(id));
        assertThrows(SessionGoneException.class, () -> there.setAttribute("late", true));
        Session fresh = request(nodeB, id, true);
        assertNotEquals(id, fresh.getId());
    }

    @Test
    void invalidatingClearsTheCookieAndTheRequestHasNoSessionAfter() {
        StubCookie config = new StubCookie();
        HttpServerExchange exchange = new HttpServerExchange(null);
        exchange.putAttachment(SessionConfig.ATTACHMENT_KEY, config);
        Session session = nodeA.createSession(exchange, config);
        session.invalidate(exchange);
        assertEquals(session.getId(), config.cleared);
        assertNull(nodeA.getSession(exchange, config));
        assertNotNull(nodeA.createSession(exchange, config));
    }

    @Test
    void unknownOrForgedIdGetsANewSessionUnderANewIdWithoutLookingItUp() {
        String unknown = new SessionIds().next();
        Session session = request(nodeA, unknown, true);
        assertNotEquals(unknown, session.getId());
        long reads = cluster.getAdvancedCache().getStats().getRetrievals();
        for (String forged : new String[] {"x", "../../etc/passwd", "A".repeat(5000), "", "é".repeat(32)}) {
            Session other = request(nodeA, forged, true);
            assertNotEquals(forged, other.getId());
            assertTrue(SessionIds.isWellFormed(other.getId()));
        }
        assertEquals(reads, cluster.getAdvancedCache().getStats().getRetrievals(), "a forged id is never looked up");
    }

    @Test
    void aRequestReadsItsSessionOnceHoweverOftenItAsks() {
        String id = request(nodeA, null, true).getId();
        StubCookie config = new StubCookie();
        config.sent = id;
        HttpServerExchange exchange = new HttpServerExchange(null);
        long before = cluster.getAdvancedCache().getStats().getRetrievals();
        Session first = nodeB.getSession(exchange, config);
        assertSame(first, nodeB.getSession(exchange, config));
        first.getAttribute("x");
        first.getAttributeNames();
        nodeB.requestDone(exchange);
        assertEquals(before + 1, cluster.getAdvancedCache().getStats().getRetrievals());
    }

    @Test
    void idleSessionExpiresOnEveryNodeAndAnAccessKeepsItAlive() {
        String idle = request(nodeA, null, true).getId();
        String used = request(nodeA, null, true).getId();
        for (int second = 0; second < 2 * TIMEOUT; second += 10) {
            clock.addAndGet(10_000);
            HttpServerExchange exchange = new HttpServerExchange(null);
            StubCookie config = new StubCookie();
            config.sent = used;
            assertNotNull(nodeB.getSession(exchange, config), "used session alive after " + second + " s");
            nodeB.requestDone(exchange);
            awaitAccessRecorded(used, clock.get());
        }
        assertNull(nodeA.getSession(idle));
        assertNull(nodeB.getSession(idle));
        assertNotNull(nodeA.getSession(used));
    }

    private void awaitAccessRecorded(String id, long at) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (SessionData.parse(cluster.get(id)).accessed() < at) {
            assertTrue(System.nanoTime() < deadline, "access at " + at + " recorded");
            Thread.onSpinWait();
        }
    }

    @Test
    void aReadDoesNotWriteWhileTheRecordedAccessIsRecentEnough() {
        String id = request(nodeA, null, true).getId();
        String stored = cluster.get(id);
        clock.addAndGet(SessionData.touchAfterMs(TIMEOUT));
        HttpServerExchange exchange = new HttpServerExchange(null);
        StubCookie config = new StubCookie();
        config.sent = id;
        nodeB.getSession(exchange, config);
        nodeB.requestDone(exchange);
        assertEquals(stored, cluster.get(id));
    }

    @Test
    void restoreBringsBackWhatTheClusterLostAtItsLatestAndNothingInvalidated() {
        Session kept = request(nodeA, null, true);
        kept.setAttribute("count", 1);
        Session ended = request(nodeA, null, true);
        ended.setAttribute("count", 1);
        request(nodeB, kept.getId(), false).setAttribute("count", 2); // the latest copy is in B's backup only
        request(nodeB, ended.getId(), false).invalidate(null);         // and so is the tombstone
        for (List<ClusteredSessionManager> order : List.of(List.of(nodeA, nodeB), List.of(nodeB, nodeA))) {
            cluster.clear(); // every node stopped: the cluster is empty when they start again
            for (ClusteredSessionManager node : order) {
                node.store().restore();
            }
            assertEquals(2, nodeA.getSession(kept.getId()).getAttribute("count"));
            assertNull(nodeA.getSession(ended.getId()));
        }
    }

    @Test
    void restoreSkipsExpiredCopies() {
        String id = request(nodeA, null, true).getId();
        cluster.clear();
        clock.addAndGet(TimeUnit.SECONDS.toMillis(TIMEOUT) + SessionData.touchAfterMs(TIMEOUT));
        SessionStore.Restored restored = nodeA.store().restore();
        assertEquals(1, restored.expired());
        assertNull(nodeA.getSession(id));
    }

    @Test
    void changedIdCarriesTheSessionOverAndTheOldIdIsDead() {
        Session session = request(nodeA, null, true);
        session.setAttribute("user", "ada");
        String old = session.getId();
        StubCookie config = new StubCookie();
        String renamed = session.changeSessionId(new HttpServerExchange(null), config);
        assertEquals(renamed, config.set);
        assertNotEquals(old, renamed);
        assertNull(nodeB.getSession(old));
        assertEquals("ada", nodeB.getSession(renamed).getAttribute("user"));
    }

    @Test
    void everySessionIsCountedAtItsOwnerAndTombstonesAreNot() {
        for (int i = 0; i < 5; i++) {
            request(nodeA, null, true);
        }
        request(nodeB, null, true).invalidate(null);
        nodeA.recount();
        assertEquals(5, nodeA.primaryOwnedCount());
        assertEquals(5, nodeA.getAllSessions().size());
        assertInstanceOf(ClusteredSession.class, nodeA.getSession(nodeA.getAllSessions().iterator().next()));
    }
}
