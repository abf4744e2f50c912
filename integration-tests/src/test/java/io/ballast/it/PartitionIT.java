package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.LogFiles;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestHosts;
import io.ballast.it.harness.Views;
import io.ballast.it.load.OpenLoop;
import io.ballast.it.load.Outcome;
import io.ballast.it.load.Tally;
import io.ballast.it.sessions.InParallel;
import io.ballast.it.sessions.SessionClient.Visit;
import io.ballast.protocol.MemberView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.ballast.it.sessions.SessionClient.visit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network partition, on three hosts (network namespaces on one bridge, nodes with the default multicast
 * discovery): one node's links to the two others are cut, then healed, three times in a row, under steady traffic to
 * all three, with every request placed round robin ({@code --balance always}), so that two in three are forwards.
 * And a node cut off while it holds forwards: those requests are done again elsewhere as soon as the node is out of
 * the views, and none hangs.
 */
class PartitionIT {

    private static final int ROUNDS = 3;
    private static final Duration FORMATION = Duration.ofSeconds(60);
    /** The split is seen when failure detection gives up on the other side: about 10 s (the README says 20). */
    private static final Duration SPLIT = Duration.ofSeconds(20);
    /** What the README promises for a healed partition. */
    private static final Duration MERGE = Duration.ofSeconds(30);
    private static final int SESSIONS_PER_SIDE = 10;
    private static final double RATE = 30;

    @RegisterExtension
    final TestHosts hosts = new TestHosts();

    private List<NodeProcess> startThree(String... args) {
        List<NodeSpec> specs = hosts.newNodes(3);
        List<NodeProcess> nodes = hosts.cluster().startAll(specs.stream()
                .map(spec -> spec.withArgs("--balance", "always", "--strategy", "round-robin").withArgs(args))
                .toList());
        hosts.cluster().awaitOneView(FORMATION, nodes);
        return nodes;
    }

    @Test
    void splitTwoToOneThreeTimesUnderLoadNoRequestFailsNoneTakesTwoHopsSessionsOfBothSidesSurviveTheMerge() {
        List<NodeProcess> nodes = startThree();
        List<NodeProcess> majority = nodes.subList(0, 2);
        NodeProcess lone = nodes.get(2);
        List<NodeProcess> alone = List.of(lone);
        Map<String, Integer> sessions = new LinkedHashMap<>(); // session id -> its last acknowledged count

        OpenLoop.Running load = OpenLoop.start(nodes.stream().map(NodeProcess::url).toList(), "/hello", RATE,
                Duration.ofMinutes(10));
        List<Outcome> outcomes;
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                long cutAt = System.nanoTime();
                hosts.isolate(lone, majority);
                Duration split = hosts.await(SPLIT).since(cutAt).until("round " + round + ": " + lone.name()
                        + " alone in its view, the two others in theirs", () -> Views.agree(majority, majority)
                        && Views.agree(alone, alone));

                sessions.putAll(writeSessions(majority, "round " + round + ", on the majority side"));
                sessions.putAll(writeSessions(alone, "round " + round + ", on the lone node's side"));

                Map<NodeProcess, Integer> logged = nodes.stream()
                        .collect(Collectors.toMap(n -> n, n -> LogFiles.lines(n.logFile()).size()));
                long healAt = System.nanoTime();
                hosts.reconnect(lone, majority);
                Duration merged = hosts.await(MERGE).since(healAt).until("round " + round
                        + ": one view of all three again", () -> Views.agree(nodes, nodes));
                hosts.await(Duration.ofSeconds(60)).until("round " + round + ": every node has rebalanced the "
                        + "sessions over the three since the heal", () -> nodes.stream()
                        .allMatch(n -> rebalancedOverThree(n, logged.get(n))));
                expectEverySession(sessions, nodes, "after the heal of round " + round);
                System.out.printf("partition round %d: views split %s after the cut, merged %s after the heal; "
                        + "%d sessions intact%n", round, Await.seconds(split), Await.seconds(merged), sessions.size());
            }
        } finally {
            outcomes = load.stop();
        }

        Tally tally = new Tally(outcomes);
        System.out.println("partition, three rounds: " + tally);
        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
        assertEquals(List.of(), failed.stream().limit(10).toList(), failed.size() + " requests failed: " + tally);
        List<Outcome> twoHops = outcomes.stream().filter(o -> o.hops() > 1).toList();
        assertEquals(List.of(), twoHops.stream().limit(10).toList(), twoHops.size() + " requests took two hops");
        assertTrue(tally.forwardedShare() > 0.2, "requests were forwarded, as round robin places them: " + tally);
    }

    /** {@value #SESSIONS_PER_SIDE} new sessions made and counted up once more on {@code side}: each at 2. */
    private static Map<String, Integer> writeSessions(List<NodeProcess> side, String where) {
        List<Visit> visits = InParallel.map(SESSIONS_PER_SIDE, i -> {
            Visit made = visit(side.get(i % side.size()), null);
            Visit again = visit(side.get((i + 1) % side.size()), made.session());
            assertEquals(List.of(1, 2), List.of(made.count(), again.count()), "a new session's counts, " + where);
            return again;
        });
        return visits.stream().collect(Collectors.toMap(Visit::session, Visit::count));
    }

    /** Visits every session once, on the nodes in turn: each must answer its last count + 1, in the same session. */
    private static void expectEverySession(Map<String, Integer> sessions, List<NodeProcess> nodes, String when) {
        List<String> ids = List.copyOf(sessions.keySet());
        List<Visit> visits = InParallel.map(ids.size(), i -> visit(nodes.get(i % nodes.size()), ids.get(i)));
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Visit visit = visits.get(i);
            int expected = sessions.get(ids.get(i)) + 1;
            if (visit.renewed() || visit.count() != expected) {
                wrong.add("session " + i + " expected count " + expected + ": " + visit);
            }
            sessions.put(ids.get(i), visit.count());
        }
        assertEquals(List.of(), wrong.stream().limit(10).toList(), wrong.size() + " of " + ids.size()
                + " sessions lost or wrong " + when);
    }

    private static boolean rebalancedOverThree(NodeProcess node, int fromLine) {
        List<String> lines = LogFiles.lines(node.logFile());
        return lines.subList(Math.min(fromLine, lines.size()), lines.size()).stream()
                .anyMatch(line -> line.contains("sessions rebalanced over 3 members"));
    }

    @Test
    void forwardsHeldByANodeThatIsCutOffFailOverAsSoonAsItLeavesTheViewsNeverHang() throws Exception {
        List<NodeProcess> nodes = startThree();
        List<NodeProcess> entries = nodes.subList(0, 2);
        NodeProcess cutOff = nodes.get(2);
        int workMs = 4_000;

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build();
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // round robin over all three: a third of them go to the node to be cut off
            URI uri = URI.create(entries.get(i % 2).url() + "/work?ms=" + workMs);
            answers.add(client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(90)).build(),
                    HttpResponse.BodyHandlers.discarding()).thenApply(response -> new Answer(response.statusCode(),
                    response.headers().firstValue("X-Served-By").orElse("?"), System.nanoTime())));
        }
        AtomicInteger held = new AtomicInteger();
        hosts.await(Duration.ofSeconds(3)).until(cutOff.name() + " holds forwarded requests",
                () -> held.updateAndGet(n -> inFlight(cutOff)) > 0);
        long cutAt = System.nanoTime();
        hosts.isolate(cutOff, entries);
        Duration split = hosts.await(SPLIT).since(cutAt).until("the two others drop " + cutOff.name()
                + " from their views", () -> Views.agree(entries, entries));

        // once the peer is out of the view, a request waiting on it goes to another node at once and is done again
        Duration limit = split.plusMillis(workMs).plusSeconds(5);
        List<String> answered = new ArrayList<>();
        for (CompletableFuture<Answer> future : answers) {
            long left = Math.max(0, limit.toNanos() - (System.nanoTime() - cutAt));
            Answer answer;
            try {
                answer = future.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("a request had no answer " + Await.seconds(limit) + " after " + cutOff.name()
                        + " was cut off (" + Await.seconds(split) + " until it left the views); answers so far: "
                        + answered + "\n" + hosts.describe());
            }
            answered.add(answer.status() + " from " + answer.servedBy() + " after "
                    + Await.seconds(Duration.ofNanos(answer.atNanos() - cutAt)));
            assertEquals(200, answer.status(), "answers so far: " + answered);
            assertTrue(!answer.servedBy().equals(cutOff.name()), "an answer came from the node cut off: " + answered);
        }
        System.out.println(cutOff.name() + " cut off holding " + held + " forwards, out of the views after "
                + Await.seconds(split) + "; the 12 requests: " + answered);
    }

    private record Answer(int status, String servedBy, long atNanos) {
    }

    /** The requests {@code node} says it has in flight, as it shows itself in its own view. */
    private static int inFlight(NodeProcess node) {
        return node.view().members().stream().filter(m -> m.name().equals(node.name()))
                .mapToInt(MemberView::inFlight).findFirst().orElse(0);
    }
}
