package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestHosts;
import io.ballast.it.harness.Views;
import io.ballast.it.load.OpenLoop;
import io.ballast.it.load.Outcome;
import io.ballast.it.load.Tally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A link that comes and goes: on three hosts (network namespaces on one bridge, {@code static:} discovery over TCP),
 * one node's links to the two others are cut for {@value #FLAP_SECONDS} s and healed for as long, over and over for
 * {@value #FLAPPING_SECONDS} s (each cut shorter than failure detection needs to give up on the node), under
 * steady traffic to all three with every request placed round robin. No request fails or takes two hops, and the
 * cluster ends in one view.
 */
class FlappingLinkIT {

    private static final int FLAP_SECONDS = 5;
    private static final int FLAPPING_SECONDS = 60;
    private static final Duration MERGE = Duration.ofSeconds(30);
    private static final double RATE = 30;

    @RegisterExtension
    final TestHosts hosts = new TestHosts();

    @Test
    void aLinkCutAndHealedEveryFiveSecondsForAMinuteFailsNoRequestAndEndsInOneView() {
        List<NodeSpec> specs = hosts.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = hosts.cluster().startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--balance", "always", "--strategy", "round-robin")).toList());
        hosts.cluster().awaitOneView(Duration.ofSeconds(60), nodes);
        NodeProcess flapping = nodes.get(2);
        List<NodeProcess> others = nodes.subList(0, 2);

        OpenLoop.Running load = OpenLoop.start(nodes.stream().map(NodeProcess::url).toList(), "/hello", RATE,
                Duration.ofMinutes(5));
        List<Outcome> outcomes;
        try {
            // the faults follow a clock: cut at 0 s, healed at 5 s, cut at 10 s, …, healed at 55 s
            long start = System.nanoTime();
            long healedAt = start;
            for (int step = 0; step < FLAPPING_SECONDS / FLAP_SECONDS; step++) {
                LockSupport.parkNanos(start + Duration.ofSeconds((long) step * FLAP_SECONDS).toNanos()
                        - System.nanoTime());
                if (step % 2 == 0) {
                    hosts.isolate(flapping, others);
                } else {
                    hosts.reconnect(flapping, others);
                    healedAt = System.nanoTime();
                }
            }
            Duration merged = hosts.await(MERGE).since(healedAt).until("one view of all three after the last heal",
                    () -> Views.agree(nodes, nodes));
            System.out.println("flapping link: one view of three " + Await.seconds(merged) + " after the last heal");
        } finally {
            outcomes = load.stop();
        }

        Tally tally = new Tally(outcomes);
        System.out.println("flapping link, " + FLAPPING_SECONDS + " s: " + tally);
        List<Outcome> failed = outcomes.stream().filter(o -> !o.ok()).toList();
        assertEquals(List.of(), failed.stream().limit(10).toList(), failed.size() + " requests failed: " + tally);
        List<Outcome> twoHops = outcomes.stream().filter(o -> o.hops() > 1).toList();
        assertEquals(List.of(), twoHops.stream().limit(10).toList(), twoHops.size() + " requests took two hops");
    }
}
