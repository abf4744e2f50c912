package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code --balance always}, a node places every request by its strategy among all members, itself included, as
 * a software balancer would: each strategy spreads {@value #REQUESTS} requests sent one at a time to the first node
 * as it promises, counted on {@code X-Served-By}, within {@value #TOLERANCE} of each node's promised share.
 *
 * <p>One request at a time, every member is idle when a request is placed: the load-aware strategies then see equal
 * counts (a report leaves out a request whose answer has begun, and the sender counts its own forwards) and spread
 * evenly. For the random ones, 600 draws give a share a standard deviation of 0.019, so the tolerance is over four.
 */
class StrategiesIT {

    private static final int REQUESTS = 600;
    private static final double TOLERANCE = 0.08;
    private static final double[] EVEN = {1 / 3.0, 1 / 3.0, 1 / 3.0};

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    static Stream<Arguments> strategies() {
        return Stream.of(
                Arguments.of("round-robin", new int[] {1, 1, 1}, EVEN),
                Arguments.of("random", new int[] {1, 1, 1}, EVEN),
                // 3 + 1 + 1: three fifths to the heavy node, interleaved
                Arguments.of("weighted-round-robin", new int[] {3, 1, 1}, new double[] {0.6, 0.2, 0.2}),
                Arguments.of("least-connections", new int[] {1, 1, 1}, EVEN),
                Arguments.of("least-loaded", new int[] {1, 1, 1}, EVEN));
    }

    @ParameterizedTest(name = "{0} spreads as it promises")
    @MethodSource("strategies")
    void strategySpreadsAsItPromises(String strategy, int[] weights, double[] promised) {
        Map<String, Integer> served = spread(strategy, weights);
        assertEquals(3, served.size(), strategy + ": served by other nodes than the three: " + served);
        int i = 0;
        for (Map.Entry<String, Integer> entry : served.entrySet()) {
            double share = (double) entry.getValue() / REQUESTS;
            double want = promised[i++];
            assertTrue(Math.abs(share - want) <= TOLERANCE, strategy + ": " + entry.getKey() + " served "
                    + entry.getValue() + " of " + REQUESTS + ", a share of " + String.format("%.3f", share)
                    + ", promised " + String.format("%.3f", want) + " ± " + TOLERANCE + " (weights "
                    + Arrays.toString(weights) + "): " + served);
        }
    }

    /** Three nodes with {@code strategy} and {@code weights}, and how many requests each served, in their order. */
    private Map<String, Integer> spread(String strategy, int[] weights) {
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeSpec> configured = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            configured.add(specs.get(i).withDiscovery(discovery).withArgs("--balance", "always", "--strategy",
                    strategy, "--weight", Integer.toString(weights[i])));
        }
        List<NodeProcess> nodes = cluster.startAll(configured);
        cluster.awaitOneView(Duration.ofSeconds(40), nodes);
        Map<String, Integer> served = new LinkedHashMap<>();
        nodes.forEach(node -> served.put(node.name(), 0));
        for (int i = 0; i < REQUESTS; i++) {
            var response = nodes.get(0).get("/hello");
            assertEquals(200, response.statusCode(), strategy + ": " + response.body());
            served.merge(response.headers().firstValue("X-Served-By").orElse("?"), 1, Integer::sum);
        }
        System.out.println("[" + strategy + "] served " + served);
        nodes.forEach(NodeProcess::terminate);
        nodes.forEach(node -> node.awaitExit(Duration.ofSeconds(30)));
        return served;
    }
}
