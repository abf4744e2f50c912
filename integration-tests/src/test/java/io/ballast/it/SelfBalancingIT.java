package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.load.OpenLoop;
import io.ballast.it.load.Outcome;
import io.ballast.it.load.Tally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes of capacity 16 under {@code /work?ms=200} load at a fixed rate: each node serves 80 requests a second
 * at most, the cluster 240. Long requests at low rates keep many requests in flight while leaving a machine of two
 * cores enough CPU to run three nodes and the load together.
 */
class SelfBalancingIT {

    private static final int CAPACITY = 16;
    private static final String WORK = "/work?ms=200";
    private static final Duration RUN = Duration.ofSeconds(6);
    private static final Duration WARM_UP = Duration.ofSeconds(3);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private List<NodeProcess> startThree(String... extraArgs) {
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = cluster.startAll(specs.stream()
                .map(spec -> spec.withDiscovery(discovery).withArgs("--capacity", Integer.toString(CAPACITY))
                        .withArgs(extraArgs))
                .toList());
        cluster.awaitOneView(Duration.ofSeconds(40), nodes);
        return nodes;
    }

    private static Tally load(List<NodeProcess> targets, double perSecond, Duration duration) {
        List<String> urls = targets.stream().map(NodeProcess::url).toList();
        OpenLoop.run(urls, WORK, perSecond, WARM_UP);
        return new Tally(OpenLoop.run(urls, WORK, perSecond, duration));
    }

    @Test
    void nodeGivenAllTheLoadHandsTheSurplusToItsPeersAndCutsTheTail() {
        List<NodeProcess> nodes = startThree();
        // 1.5 times what node A can serve alone, half of what the cluster can
        Tally balanced = load(List.of(nodes.get(0)), 120, RUN);
        System.out.println("[skew, adaptive] " + balanced);
        nodes.forEach(NodeProcess::terminate);
        nodes.forEach(node -> node.awaitExit(Duration.ofSeconds(30)));

        List<NodeProcess> dnsAlone = startThree("--balance", "off");
        Tally off = load(List.of(dnsAlone.get(0)), 120, RUN);
        System.out.println("[skew, balance off] " + off);

        assertEquals(0, balanced.failed(), () -> "failed requests: " + balanced);
        for (NodeProcess peer : nodes.subList(1, 3)) {
            assertTrue(balanced.shareServedBy(peer.name()) >= 0.25,
                    () -> peer.name() + " served less than 25%: " + balanced);
        }
        assertTrue(balanced.latencyMs(0.99) < 0.75 * off.latencyMs(0.99),
                () -> "p99 not well below DNS alone's: balanced " + balanced + "; off " + off);
    }

    @Test
    void underEvenLoadNodesServeWhatTheyGet() {
        List<NodeProcess> nodes = startThree();
        // three quarters of every node's capacity, spread evenly
        Tally even = load(nodes, 180, RUN);
        System.out.println("[even, adaptive] " + even);

        assertEquals(0, even.failed(), () -> "failed requests: " + even);
        // only a request that would wait here while a peer has a free slot is forwarded: a few percent
        assertTrue(even.forwardedShare() <= 0.10, () -> "forwarded more than 10%: " + even);
    }

    @Test
    void killedPeerCostsNoRequestAndGetsNoForwardASecondAfter() throws Exception {
        List<NodeProcess> nodes = startThree();
        NodeProcess victim = nodes.get(2);
        List<NodeProcess> entries = nodes.subList(0, 2);
        OpenLoop.run(entries.stream().map(NodeProcess::url).toList(), WORK, 150, WARM_UP);

        List<LocalTime> killedAt = new ArrayList<>();
        CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
            killedAt.add(LocalTime.now());
            victim.kill();
        }, CompletableFuture.delayedExecutor(3, TimeUnit.SECONDS));
        // A and B each get nearly all they can serve alone: both forward to C until it dies
        List<Outcome> outcomes = OpenLoop.run(entries.stream().map(NodeProcess::url).toList(), WORK, 150,
                Duration.ofSeconds(8));
        killer.join();
        Tally tally = new Tally(outcomes);
        System.out.println("[kill C] " + tally);

        assertEquals(0, tally.failed(), () -> "failed requests at A and B: " + tally);
        assertTrue(tally.shareServedBy(victim.name()) > 0, () -> "C served nothing before it died: " + tally);
        LocalTime limit = killedAt.get(0).plusSeconds(1);
        for (NodeProcess entry : entries) {
            for (LocalTime attempt : failedForwardsTo(entry, victim.name())) {
                assertTrue(!attempt.isAfter(limit), () -> entry.name() + " still forwarded to " + victim.name()
                        + " at " + attempt + ", killed at " + killedAt.get(0));
            }
        }
    }

    /** When {@code node} logged a forward to {@code peer} that failed, by the log's clock (this machine's). */
    private static List<LocalTime> failedForwardsTo(NodeProcess node, String peer) throws IOException {
        DateTimeFormatter format = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
        return Files.readAllLines(node.logFile()).stream()
                .filter(line -> line.contains("RoutingHandler: forward of") && line.contains(" to " + peer + " failed"))
                .map(line -> LocalTime.parse(line.substring(0, 12), format))
                .toList();
    }
}
