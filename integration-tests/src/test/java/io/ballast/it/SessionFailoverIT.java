package io.ballast.it;

import io.ballast.it.harness.LogFiles;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.harness.Views;
import io.ballast.it.sessions.InParallel;
import io.ballast.it.sessions.SessionClient;
import io.ballast.it.sessions.SessionClient.Visit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.ballast.it.sessions.SessionClient.visit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No session is lost when nodes die: 200 sessions on three nodes keeping each on two, then one node killed, then,
 * once the survivors have given every session two owners again, another; 200 sessions on three nodes that each keep
 * every session ({@code --sessions replicated}), then two nodes killed at once; and 200 sessions kept on disk too
 * ({@code --data-dir}) when every node stops (one of them killed) and starts again. A session's "last acknowledged value" is the count
 * of the last {@code GET /session} answered: the next visit must answer one more. The nodes that are killed one
 * after the other run with {@code --secret}, so that failure detection and the sessions' rebalance are checked on
 * the encrypted stack too; the others run without.
 */
class SessionFailoverIT {

    private static final int SESSIONS = 200;
    private static final String SECRET = "it-secret-" + UUID.randomUUID();
    private static final Duration FORMATION = Duration.ofSeconds(60);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private List<NodeProcess> startThree(String... args) {
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = cluster.startAll(specs.stream()
                .map(spec -> spec.withDiscovery(discovery).withArgs(args)).toList());
        cluster.awaitOneView(FORMATION, nodes);
        return nodes;
    }

    /** {@value #SESSIONS} sessions, each made on one node and counted up on the two others: each at 3. */
    private static List<String> makeSessions(List<NodeProcess> nodes) {
        return InParallel.map(SESSIONS, i -> {
            Visit made = visit(nodes.get(i % 3), null);
            Visit second = visit(nodes.get((i + 1) % 3), made.session());
            Visit third = visit(nodes.get((i + 2) % 3), made.session());
            assertEquals(List.of(1, 2, 3), List.of(made.count(), second.count(), third.count()), "session " + i);
            return made.session();
        });
    }

    /**
     * Visits every session once through {@code via} (in turn) and checks each is still there with {@code expected}
     * - 1, now {@code expected}. Returns how many of the answers came through a forward.
     */
    private static long expectEverySession(List<String> sessions, List<NodeProcess> via, int expected,
                                           String after) {
        List<Visit> visits = InParallel.map(sessions.size(), i -> visit(via.get(i % via.size()), sessions.get(i)));
        List<String> lost = new java.util.ArrayList<>();
        for (int i = 0; i < visits.size(); i++) {
            Visit v = visits.get(i);
            if (v.renewed() || v.count() != expected) {
                lost.add("session " + i + ": " + v);
            }
        }
        assertEquals(List.of(), lost.subList(0, Math.min(10, lost.size())), lost.size() + " of " + sessions.size()
                + " sessions lost or wrong " + after + " (expected count " + expected + ")");
        return visits.stream().filter(v -> v.via() != null).count();
    }

    /** Whether {@code node} has logged, since line {@code from}, that the sessions are spread over {@code members}. */
    private static boolean rebalancedOver(NodeProcess node, int from, int members) {
        List<String> lines = LogFiles.lines(node.logFile());
        return lines.subList(Math.min(from, lines.size()), lines.size()).stream()
                .anyMatch(line -> line.contains("sessions rebalanced over " + members + " members"));
    }

    @Test
    void killingOneNodeAndThenAnotherLosesNoSession() {
        // every request placed round robin, so two in three are forwarded: forwards see the same sessions
        List<NodeProcess> nodes = startThree("--balance", "always", "--strategy", "round-robin", "--secret", SECRET);
        List<String> sessions = makeSessions(nodes);

        NodeProcess first = nodes.get(1);
        List<NodeProcess> survivors = List.of(nodes.get(0), nodes.get(2));
        Map<NodeProcess, Integer> logged = survivors.stream()
                .collect(Collectors.toMap(n -> n, n -> LogFiles.lines(n.logFile()).size()));
        first.kill();
        long forwarded = expectEverySession(sessions, survivors, 4, "right after kill -9 of " + first.name());
        assertTrue(forwarded > 0, "some visits were forwarded");

        cluster.await(Duration.ofSeconds(60)).until("both survivors agree on a view of the two, and have given "
                + "every session two owners again", () -> Views.agree(survivors, survivors)
                && survivors.stream().allMatch(n -> rebalancedOver(n, logged.get(n), 2)));
        expectEverySession(sessions, survivors, 5, "after the rebalance");

        NodeProcess second = nodes.get(2);
        List<NodeProcess> last = List.of(nodes.get(0));
        second.kill();
        expectEverySession(sessions, last, 6, "right after kill -9 of " + second.name() + " too");
    }

    @Test
    void withReplicatedSessionsTwoOfThreeNodesCanDieAtOnce() {
        List<NodeProcess> nodes = startThree("--sessions", "replicated");
        List<String> sessions = makeSessions(nodes);

        // with two owners per session, killing two nodes at once would lose the sessions they both held
        nodes.get(1).kill();
        nodes.get(2).kill();
        expectEverySession(sessions, List.of(nodes.get(0)), 4, "right after kill -9 of two nodes at once");
    }

    @Test
    void stoppingOrKillingEveryNodeAndStartingThemAgainLosesNoSessionAndRevivesNoEndedOne() throws Exception {
        Path dataDir = cluster.logDir().resolve("data");
        List<NodeProcess> nodes = startThree("--data-dir", dataDir.toString());
        List<String> sessions = makeSessions(nodes);
        List<String> ended = sessions.subList(0, 10);
        for (int i = 0; i < ended.size(); i++) {
            assertTrue(SessionClient.end(nodes.get((i + 1) % 3), ended.get(i)));
        }
        for (NodeProcess node : nodes) {
            assertTrue(Files.isRegularFile(dataDir.resolve(node.name()).resolve(".lock")), node.name());
        }

        // one crashes (its store is not closed cleanly), the others stop
        nodes.get(0).kill();
        nodes.subList(1, 3).forEach(NodeProcess::terminate);
        assertEquals(137, nodes.get(0).awaitExit(Duration.ofSeconds(30)), "exit status after SIGKILL");
        for (NodeProcess node : nodes.subList(1, 3)) {
            assertEquals(0, node.awaitExit(Duration.ofSeconds(30)), node.name() + " exit status after SIGTERM");
        }
        nodes.forEach(NodeProcess::restart);
        cluster.awaitOneView(FORMATION, nodes);

        List<String> kept = sessions.subList(ended.size(), sessions.size());
        expectEverySession(kept, nodes, 4, "after every node stopped and started again");
        List<Visit> afterEnd = InParallel.map(ended.size(), i -> visit(nodes.get(i % 3), ended.get(i)));
        assertEquals(List.of(), afterEnd.stream().filter(v -> !v.renewed() || v.count() != 1)
                .map(Objects::toString).toList(), "ended sessions stay ended after the restart");
    }
}
