package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.harness.Views;
import io.ballast.protocol.BallastHeaders;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.MemberState;
import io.ballast.protocol.MemberView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rules that only read a cluster, so one cluster of three nodes with {@code static:} discovery serves them all.
 */
class StaticClusterIT {

    private static final Duration FORMATION_LIMIT = Duration.ofSeconds(10);

    @RegisterExtension
    static final TestCluster CLUSTER = new TestCluster();

    private static List<NodeProcess> nodes;
    private static Duration formedAfterLive;

    /**
     * Starts the nodes and measures, with room to spare, how long they take to agree, so that the rule below can
     * judge it whatever order the tests run in. The clock for the rule starts once every process is up and serving
     * HTTP (which a node does before it joins): what is measured is discovery, join and first load reports, not how
     * long a JVM takes to boot on a busy machine. The time from launching the processes is printed too.
     */
    @BeforeAll
    static void startThreeNodes() {
        long launchedAt = System.nanoTime();
        nodes = CLUSTER.startStatic(3);
        Duration live = CLUSTER.awaitLive(Duration.ofSeconds(60), nodes);
        formedAfterLive = CLUSTER.await(Duration.ofSeconds(60))
                .until("the three nodes report one view of all three", () -> Views.agree(nodes, nodes));
        System.out.println("[timing] static discovery: every process serving HTTP " + Await.seconds(live)
                + " after launch; one view of 3 " + Await.seconds(formedAfterLive) + " later ("
                + Await.seconds(Duration.ofNanos(System.nanoTime() - launchedAt)) + " from launch)");
    }

    @Test
    void threeNodesWithStaticDiscoveryAgreeOnOneViewWithinTenSeconds() {
        assertTrue(formedAfterLive.compareTo(FORMATION_LIMIT) <= 0, () -> "one view of 3 took "
                + Await.seconds(formedAfterLive) + " from every node serving HTTP, over the "
                + Await.seconds(FORMATION_LIMIT) + " promised");
        ClusterView first = nodes.get(0).view();
        for (NodeProcess node : nodes) {
            ClusterView view = node.view();
            assertEquals(CLUSTER.name(), view.cluster(), node.name() + ": cluster name");
            assertEquals(node.name(), view.self(), node.name() + ": self");
            assertEquals(first.viewId(), view.viewId(), node.name() + ": view id");
            assertEquals(first.coordinator(), view.coordinator(), node.name() + ": coordinator");
            assertEquals(Views.names(first), Views.names(view), node.name() + ": members, in view order");
            for (MemberView member : view.members()) {
                assertEquals(MemberState.UP, member.state(), node.name() + " sees " + member.name());
                assertNotNull(member.url(), node.name() + " sees " + member.name() + " without a URL");
            }
        }
        assertEquals(Set.copyOf(Views.namesOf(nodes)), Set.copyOf(Views.names(first)), "members");
    }

    @Test
    void everyResponseNamesTheNodeThatServedIt() {
        CLUSTER.awaitOneView(Duration.ofSeconds(30), nodes);
        for (NodeProcess node : nodes) {
            assertServedBy(node, "/hello", 200);
            assertServedBy(node, "/work?ms=1", 200);
            assertServedBy(node, "/no-such-page", 404);
            assertServedBy(node, "/_ballast/cluster", 200);
            assertServedBy(node, "/_ballast/no-such-endpoint", 404);
        }
    }

    @Test
    void everyNodeOfASettledClusterIsLiveAndReady() {
        CLUSTER.awaitOneView(Duration.ofSeconds(30), nodes);
        for (NodeProcess node : nodes) {
            assertEquals(200, node.get("/_ballast/health/live").statusCode(), node.name() + " live");
            assertEquals(200, node.get("/_ballast/health/ready").statusCode(), node.name() + " ready");
        }
    }

    @Test
    void everyNodeCountsTheMessagesAndBytesItSendsAndReceivesOnTheClusterPort() {
        CLUSTER.awaitOneView(Duration.ofSeconds(30), nodes);
        List<String> counters = List.of("ballast_cluster_messages_sent_total",
                "ballast_cluster_messages_received_total", "ballast_cluster_bytes_sent_total",
                "ballast_cluster_bytes_received_total");
        List<Map<String, Double>> before = nodes.stream().map(node -> metrics(node, counters)).toList();
        // every member publishes its load report at least every 250 ms, so all four counts move within a second
        CLUSTER.await(Duration.ofSeconds(10)).until("every node's cluster traffic counters grow", () -> {
            for (int i = 0; i < nodes.size(); i++) {
                Map<String, Double> now = metrics(nodes.get(i), counters);
                for (String counter : counters) {
                    if (!(now.get(counter) > before.get(i).get(counter))) {
                        return false;
                    }
                }
            }
            return true;
        });
        for (NodeProcess node : nodes) {
            Map<String, Double> now = metrics(node, counters);
            assertTrue(now.get("ballast_cluster_bytes_sent_total") > now.get("ballast_cluster_messages_sent_total"),
                    node.name() + ": more bytes than messages sent, " + now);
        }
    }

    /** The values of {@code names} in {@code node}'s metrics, each labelled with the node's own name. */
    private static Map<String, Double> metrics(NodeProcess node, List<String> names) {
        String text = node.get("/_ballast/metrics").body();
        Map<String, Double> values = new HashMap<>();
        for (String name : names) {
            Matcher matcher = Pattern.compile("(?m)^" + name + "\\{node=\"" + Pattern.quote(node.name())
                    + "\"} (\\S+)$").matcher(text);
            if (!matcher.find()) {
                throw new AssertionError("no " + name + " for " + node.name() + " in its /_ballast/metrics");
            }
            values.put(name, Double.parseDouble(matcher.group(1)));
        }
        return values;
    }

    private static void assertServedBy(NodeProcess node, String path, int expectedStatus) {
        HttpResponse<String> response = node.get(path);
        assertEquals(expectedStatus, response.statusCode(), "GET " + path + " on " + node.name());
        assertEquals(List.of(node.name()), response.headers().allValues(BallastHeaders.SERVED_BY),
                BallastHeaders.SERVED_BY + " of GET " + path + " on " + node.name());
    }
}
