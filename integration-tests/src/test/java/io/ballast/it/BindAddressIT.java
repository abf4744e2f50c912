package io.ballast.it;

import io.ballast.it.harness.FreePorts;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TcpSockets;
import io.ballast.it.harness.TcpSockets.Socket;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node's traffic is on its {@code --bind} address, outgoing connections included: three nodes on loopback
 * addresses of their own (none of them 127.0.0.1, which the kernel would pick as the source of a connection to
 * another loopback address), forwarding to each other. Every TCP socket of every node, listening or connected, has
 * its node's address at its own end, and among them are connections to the peers' cluster transport, their failure
 * detection and their HTTP port (the forwards).
 */
class BindAddressIT {

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void everyTcpSocketOfANodeIsOnItsBindAddressItsConnectionsToPeersIncluded() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = cluster.startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--balance", "always", "--strategy", "round-robin")).toList());
        cluster.awaitOneView(Duration.ofSeconds(60), nodes);
        for (NodeProcess node : nodes) {
            Set<String> servedBy = new TreeSet<>();
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> response = node.get("/hello");
                assertEquals(200, response.statusCode(), response.body());
                servedBy.add(response.headers().firstValue("X-Served-By").orElse("?"));
            }
            assertTrue(servedBy.size() > 1, node.name() + " forwarded some of its requests: served by " + servedBy);
        }

        List<String> wrong = new ArrayList<>();
        Set<String> kindsSeen = new TreeSet<>();
        for (NodeProcess node : nodes) {
            InetAddress bind = InetAddress.getByName(node.bind());
            for (Socket socket : TcpSockets.of(node.pid())) {
                if (!socket.localAddress().equals(bind)) {
                    wrong.add(node.name() + " (--bind " + node.bind() + "): " + socket);
                }
                for (NodeProcess peer : nodes) {
                    if (peer != node && !socket.listening() && socket.localPort() != node.httpPort()
                            && !FreePorts.CLUSTER_PORT_OFFSETS.contains(socket.localPort() - node.clusterPort())
                            && socket.remoteAddress().equals(InetAddress.getByName(peer.bind()))) {
                        kindsSeen.add(kindOfPort(peer, socket.remotePort()));
                    }
                }
            }
        }
        assertEquals(List.of(), wrong, "sockets of the nodes that are not on their node's --bind address");
        assertEquals(Set.of("cluster transport", "failure detection", "HTTP"), kindsSeen,
                "the kinds of peer port that the nodes' own connections go to");
    }

    private static String kindOfPort(NodeProcess peer, int port) {
        if (port == peer.httpPort()) {
            return "HTTP";
        }
        if (port == peer.clusterPort()) {
            return "cluster transport";
        }
        return FreePorts.CLUSTER_PORT_OFFSETS.contains(port - peer.clusterPort()) ? "failure detection"
                : "port " + port;
    }
}
