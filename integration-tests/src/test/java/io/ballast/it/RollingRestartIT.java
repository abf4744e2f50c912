package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.harness.Views;
import io.ballast.it.load.OpenLoop;
import io.ballast.it.load.Outcome;
import io.ballast.it.load.Tally;
import io.ballast.protocol.MemberView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling restart under load loses nothing: each of three nodes in turn is sent {@code SIGTERM}, drains, exits 0
 * and is started again, while a steady load goes to all three in turn, as DNS would spread clients. Every request
 * sent to a node while it was up is answered 2xx. Requests to a node while it is stopped are refused at connect
 * time (that part is DNS's to avoid, not the cluster's); they are counted apart, and must fall in its down time.
 */
class RollingRestartIT {

    private static final double RATE = 60;
    private static final Duration LOAD = Duration.ofSeconds(60);
    /** Requests a node serves before the next step: a second or two of its share of the load. */
    private static final int WARM = 40;

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    /** When a node was down: from the SIGTERM to the moment it answered HTTP again, in {@link System#nanoTime}. */
    private record Down(String url, long fromNanos, long toNanos) {
        boolean covers(Outcome outcome) {
            return outcome.target().equals(url) && outcome.dueNanos() >= fromNanos && outcome.dueNanos() <= toNanos;
        }
    }

    @Test
    void restartingEveryNodeInTurnUnderLoadFailsNoRequest() throws Exception {
        List<NodeProcess> nodes = cluster.startStatic(3);
        cluster.awaitOneView(Duration.ofSeconds(60), nodes);
        List<String> targets = nodes.stream().map(NodeProcess::url).toList();

        CompletableFuture<List<Outcome>> load = CompletableFuture.supplyAsync(
                () -> OpenLoop.run(targets, "/work?ms=50", RATE, LOAD));
        long loadStart = System.nanoTime();
        List<Down> downs = new ArrayList<>();
        cluster.await(Duration.ofSeconds(20)).until("the load reaches every node (" + WARM + " requests each)",
                () -> nodes.stream().allMatch(node -> served(node) >= WARM));
        for (NodeProcess node : nodes) {
            long termAt = System.nanoTime();
            node.terminate();
            assertEquals(0, node.awaitExit(Duration.ofSeconds(20)), node.name() + " exits 0 after its drain");
            System.out.printf("%s drained and exited %.1f s after SIGTERM%n", node.name(),
                    (System.nanoTime() - termAt) / 1e9);
            node.restart();
            cluster.await(Duration.ofSeconds(30)).until(node.name() + " answers HTTP again",
                    () -> node.get("/_ballast/health/live").statusCode() == 200);
            downs.add(new Down(node.url(), termAt, System.nanoTime()));
            cluster.await(Duration.ofSeconds(60)).until("all three see one view of all three, UP",
                    () -> Views.agree(nodes, nodes));
            // some load on the whole cluster, the restarted node included, before the next one goes
            cluster.await(Duration.ofSeconds(20)).until(node.name() + " serves again (" + WARM + " requests)",
                    () -> served(node) >= WARM);
        }
        assertTrue(System.nanoTime() - loadStart < LOAD.toNanos(), "the restarts took longer than the load ran");

        List<Outcome> outcomes = load.get(LOAD.toSeconds() + 60, TimeUnit.SECONDS);
        List<Outcome> refused = outcomes.stream().filter(RollingRestartIT::refusedAtConnect).toList();
        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok() && !refusedAtConnect(o)).toList();
        System.out.printf("rolling restart: %d requests, %d refused at connect by a stopped node, %d failed; %s%n",
                outcomes.size(), refused.size(), failed.size(), new Tally(outcomes));
        assertEquals(List.of(), failed.stream().limit(10).toList(), failed.size() + " requests failed");
        for (Outcome outcome : refused) {
            assertTrue(downs.stream().anyMatch(down -> down.covers(outcome)),
                    "refused while its node was up: " + outcome);
        }
        for (NodeProcess node : nodes) {
            assertTrue(outcomes.stream().anyMatch(o -> o.ok() && node.name().equals(o.servedBy())),
                    node.name() + " served nothing");
        }
    }

    /** The requests {@code node} has served since it (last) started, as it reports itself. */
    private static long served(NodeProcess node) {
        return node.view().members().stream().filter(member -> member.name().equals(node.name()))
                .mapToLong(MemberView::served).findFirst().orElse(0);
    }

    /** No connection could be made: the node was not listening. */
    private static boolean refusedAtConnect(Outcome outcome) {
        return outcome.status() == 0 && outcome.error() != null && outcome.error().contains("ConnectException");
    }
}
