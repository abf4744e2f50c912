package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.DnsServer;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.harness.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How nodes find each other, and whom they refuse: DNS discovery through a DNS server asked over the wire, and
 * cluster names that keep clusters apart even when every node knows every other's address. ({@code static:}
 * discovery is exercised by every other test class.)
 */
class DiscoveryIT {

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void dnsDiscoveryFormsOneViewOfThreeFromTheARecordsOfOneName() throws Exception {
        List<NodeProcess> nodes = cluster.startDns(3);
        Duration live = cluster.awaitLive(Duration.ofSeconds(60), nodes);
        Duration formed = cluster.await(Duration.ofSeconds(30)).until(
                "the three nodes report one view of all three", () -> Views.agree(nodes, nodes));
        System.out.println("[timing] dns discovery: every process serving HTTP " + Await.seconds(live)
                + " after launch; one view of 3 " + Await.seconds(formed) + " later");

        DnsServer dns = cluster.dns();
        String name = cluster.dnsName();
        assertEquals(nodes.stream().map(NodeProcess::bind).sorted().toList(), dns.lookup(name).stream().sorted()
                .toList(), "A records of " + name);
        assertEquals(1, nodes.stream().mapToInt(NodeProcess::clusterPort).distinct().count(),
                "every node on one cluster port");
        for (NodeProcess node : nodes) {
            assertEquals(dns.discovery(name), node.spec().discovery(), node.name() + " --discovery");
        }
        assertTrue(dns.wasAskedForA(name), "the DNS server was asked for the A records of " + name + "; queries: "
                + dns.queries());
    }

    @Test
    void aNodePointedAtANameAddedWhileTheClusterRunsJoinsTheNodesItLists() {
        List<NodeProcess> first = cluster.startDns(2);
        cluster.awaitOneView(Duration.ofSeconds(60), first);

        // A name the DNS server learns only now, listing the running nodes and the new one: the new node can find
        // its peers through this name alone.
        DnsServer dns = cluster.dns();
        String addedName = "added." + cluster.dnsName();
        NodeSpec third = cluster.newNode("n3").withClusterPort(first.get(0).clusterPort())
                .withDiscovery(dns.discovery(addedName));
        List<String> addresses = new ArrayList<>(first.stream().map(NodeProcess::bind).toList());
        addresses.add(third.bind());
        dns.setA(addedName, addresses);
        NodeProcess added = cluster.start(third);

        Duration joined = cluster.awaitOneView(Duration.ofSeconds(60), List.of(first.get(0), first.get(1), added));
        System.out.println("[timing] dns discovery: a node pointed at a name added to DNS is in every view "
                + Await.seconds(joined) + " after launch");
        assertTrue(dns.wasAskedForA(addedName), "queries: " + dns.queries());
    }

    @Test
    void aNodeStartedBeforeItsNameIsInDnsServesAloneThenJoinsWhenTheNameAppears() {
        List<NodeProcess> first = cluster.startDns(1);
        cluster.awaitOneView(Duration.ofSeconds(60), first);
        DnsServer dns = cluster.dns();
        String laterName = "later." + cluster.dnsName();
        NodeSpec second = cluster.newNode("n2").withClusterPort(first.get(0).clusterPort())
                .withDiscovery(dns.discovery(laterName));
        NodeProcess early = cluster.start(second); // no record of laterName yet: the lookup finds nothing
        cluster.await(Duration.ofSeconds(60)).until(early.name() + " serves, alone in its cluster",
                () -> early.get("/_ballast/health/ready").statusCode() == 200);
        assertTrue(dns.wasAskedForA(laterName), "queries: " + dns.queries());

        dns.setA(laterName, List.of(first.get(0).bind(), early.bind()));
        cluster.awaitOneView(Duration.ofSeconds(60), List.of(first.get(0), early));
    }

    @Test
    void clustersWithDifferentNamesNeverMixEvenWhenEveryNodeListsEveryOther() {
        String nameA = cluster.name();
        String nameB = TestCluster.newClusterName();
        List<NodeSpec> specs = List.of(cluster.newNode("a1"), cluster.newNode("a2"), cluster.newNode("b1"),
                cluster.newNode("b2"));
        String everyone = NodeSpec.staticDiscovery(specs);
        List<NodeSpec> started = new ArrayList<>();
        for (NodeSpec spec : specs) {
            started.add(spec.withDiscovery(everyone).withCluster(spec.name().startsWith("a") ? nameA : nameB));
        }
        List<NodeProcess> nodes = cluster.startAll(started);
        List<NodeProcess> a = nodes.subList(0, 2);
        List<NodeProcess> b = nodes.subList(2, 4);

        cluster.await(Duration.ofSeconds(60)).until("each cluster reports one view of its own two nodes",
                () -> Views.agree(a, a) && Views.agree(b, b));
        cluster.during(Duration.ofSeconds(5)).always("each cluster's views show only its own two nodes",
                () -> Views.agree(a, a) && Views.agree(b, b));

        for (NodeProcess node : a) {
            assertEquals(nameA, node.view().cluster(), node.name() + ": cluster name");
        }
        for (NodeProcess node : b) {
            assertEquals(nameB, node.view().cluster(), node.name() + ": cluster name");
        }
    }
}
