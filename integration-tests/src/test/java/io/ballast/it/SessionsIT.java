package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.sessions.InParallel;
import io.ballast.it.sessions.SessionClient;
import io.ballast.it.sessions.SessionClient.Visit;
import io.ballast.protocol.MemberView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ballast.it.sessions.SessionClient.visit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions of the demo app ({@code GET /session} counts in the session) on three nodes that keep each session on
 * two of them: a session made on any node is read and written on every other, concurrent writes lose nothing,
 * invalidation and idle expiry ({@code --session-timeout 3s}) hold on every node, and cookies a node did not issue
 * get a new session. The nodes stay up for the whole class; no test depends on another's sessions.
 */
class SessionsIT {

    private static final int SESSIONS = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @RegisterExtension
    static final TestCluster CLUSTER = new TestCluster();

    private static List<NodeProcess> nodes;

    @BeforeAll
    static void startThreeNodes() {
        List<NodeSpec> specs = CLUSTER.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        nodes = CLUSTER.startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--session-timeout", TIMEOUT.toSeconds() + "s")).toList());
        CLUSTER.awaitOneView(Duration.ofSeconds(60), nodes);
    }

    private static NodeProcess node(int i) {
        return nodes.get(Math.floorMod(i, nodes.size()));
    }

    @Test
    void sessionMadeOnAnyNodeIsReadAndWrittenOnEveryOther() {
        List<String> problems = InParallel.map(SESSIONS, i -> {
            List<Visit> visits = new ArrayList<>();
            Visit made = visit(node(i), null);
            visits.add(made);
            visits.add(visit(node(i + 1), made.session()));
            visits.add(visit(node(i + 2), made.session()));
            for (int k = 0; k < visits.size(); k++) {
                Visit v = visits.get(k);
                if (v.count() != k + 1 || v.renewed() != (k == 0) || !node(i + k).name().equals(v.servedBy())) {
                    return "session " + i + " made on " + node(i).name() + ": " + visits;
                }
            }
            return null;
        }).stream().filter(Objects::nonNull).toList();
        assertEquals(List.of(), problems.subList(0, Math.min(10, problems.size())),
                problems.size() + " of " + SESSIONS + " sessions went wrong");
    }

    @Test
    void twoClientsIncrementingOneSessionThroughDifferentNodesLoseNothing() {
        String session = visit(node(0), null).session();
        List<List<Integer>> seen = InParallel.map(2, client -> {
            List<Integer> counts = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                Visit v = visit(node(1 + client), session);
                assertFalse(v.renewed(), "client " + client + " lost its session at request " + i);
                counts.add(v.count());
            }
            return counts;
        });
        TreeSet<Integer> all = new TreeSet<>(seen.get(0));
        all.addAll(seen.get(1));
        // every increment saw a value no other did: together exactly 2 … 1001
        assertEquals(1000, all.size(), "distinct counts seen");
        assertEquals(2, all.first());
        assertEquals(1001, all.last());
        assertEquals(1002, visit(node(0), session).count());
    }

    @Test
    void endedSessionIsGoneOnEveryNodeAtOnce() {
        Visit made = visit(node(0), null);
        assertEquals(2, visit(node(1), made.session()).count());
        assertTrue(SessionClient.end(node(2), made.session()));
        for (NodeProcess node : nodes) {
            Visit after = visit(node, made.session());
            assertTrue(after.renewed(), node.name() + " still had the ended session");
            assertEquals(1, after.count(), node.name());
            assertNotEquals(made.session(), after.session());
        }
    }

    @Test
    void idleSessionExpiresOnEveryNodeAfterTheTimeoutAndOneInUseLivesOn() {
        long madeAt = System.nanoTime();
        List<Visit> early = nodes.stream().map(node -> visit(node, null)).toList();
        List<Visit> late = nodes.stream().map(node -> visit(node, null)).toList();
        String used = visit(node(0), null).session();
        AtomicInteger usedCount = new AtomicInteger(1);
        AtomicBoolean earlyChecked = new AtomicBoolean();
        CLUSTER.during(TIMEOUT.plusMillis(1_500)).always("the session in use counts on, through each node in turn, "
                + "and idle sessions are still there 1.5 s after their last use", () -> {
                    int expected = usedCount.incrementAndGet();
                    Visit v = visit(node(expected), used);
                    if (v.renewed() || v.count() != expected) {
                        throw new AssertionError("session in use, visit " + expected + ": " + v);
                    }
                    if (!earlyChecked.get() && System.nanoTime() - madeAt >= 1_500_000_000L) {
                        earlyChecked.set(true);
                        for (int k = 0; k < early.size(); k++) {
                            Visit again = visit(node(k + 1), early.get(k).session());
                            if (again.renewed() || again.count() != 2) {
                                throw new AssertionError("idle for 1.5 s, made on " + node(k).name() + ", read on "
                                        + node(k + 1).name() + ": " + again);
                            }
                        }
                    }
                    return true;
                });
        assertTrue(earlyChecked.get());
        for (int k = 0; k < late.size(); k++) {
            for (int other = 1; other <= 2; other++) {
                Visit after = visit(node(k + other), late.get(k).session());
                assertTrue(after.renewed(), "idle " + TIMEOUT.plusMillis(1_500).toMillis() + " ms, made on "
                        + node(k).name() + ", still alive on " + node(k + other).name() + ": " + after);
                assertEquals(1, after.count());
            }
        }
    }

    @Test
    void forgedOrUnknownSessionIdsGetANewSessionNeverAnError() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String unknown = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        for (NodeProcess node : nodes) {
            for (String value : List.of(unknown, "forged", "", "x".repeat(3_000), "../../etc/passwd", "\"q\"",
                    unknown + "; JSESSIONID=" + unknown)) {
                HttpResponse<String> response = SessionClient.visitWithCookieHeader(node, "JSESSIONID=" + value);
                String what = node.name() + " with cookie value " + value.substring(0, Math.min(40, value.length()));
                assertEquals(200, response.statusCode(), what + ": " + response.body());
                assertTrue(response.body().contains("\"count\":1"), what + ": " + response.body());
                String issued = SessionClient.issuedSession(response);
                assertNotNull(issued, what + ": no new session cookie");
                assertNotEquals(unknown, issued, what);
            }
        }
    }

    private static final Pattern SESSIONS_GAUGE = Pattern.compile("(?m)^ballast_sessions\\{node=\"([^\"]+)\"} (\\S+)$");

    /** The sessions each member reports, added up, as {@code node} sees them. */
    private static long sessionsInView(NodeProcess node) {
        return node.view().members().stream().mapToLong(MemberView::sessions).sum();
    }

    /** This node's {@code ballast_sessions} gauge. */
    private static long sessionsGauge(NodeProcess node) {
        Matcher matcher = SESSIONS_GAUGE.matcher(node.get("/_ballast/metrics").body());
        if (!matcher.find() || !matcher.group(1).equals(node.name())) {
            throw new AssertionError("no ballast_sessions gauge for " + node.name());
        }
        return (long) Double.parseDouble(matcher.group(2));
    }

    @Test
    void everyNodeCountsTheSessionsItOwnsInTheViewAndItsMetrics() {
        // sessions of the other tests expire within the timeout; this one counts its own
        CLUSTER.await(Duration.ofSeconds(30)).until("every node's view and gauge show no session",
                () -> nodes.stream().allMatch(n -> sessionsInView(n) == 0 && sessionsGauge(n) == 0));
        int made = 30;
        List<String> sessions = InParallel.map(made, i -> visit(node(i), null).session());
        CLUSTER.await(Duration.ofSeconds(10)).until("the members' counts add up to the " + made + " sessions, in "
                + "every node's view and in their gauges", () -> nodes.stream().allMatch(n -> sessionsInView(n) == made)
                && nodes.stream().mapToLong(SessionsIT::sessionsGauge).sum() == made);
        assertEquals(made, new TreeSet<>(sessions).size());
        CLUSTER.await(Duration.ofSeconds(15)).until("the count drops to 0 once they expired",
                () -> nodes.stream().allMatch(n -> sessionsInView(n) == 0));
    }
}
