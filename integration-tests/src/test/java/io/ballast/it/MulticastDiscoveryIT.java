package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestHosts;
import io.ballast.it.harness.Views;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Multicast, the default discovery, as a user meets it: three nodes on three hosts (network namespaces on one
 * bridge), started with nothing but {@code --cluster} (and their own address and name), find each other and form
 * one view; the same with {@code --secret}, where discovery itself is encrypted.
 */
class MulticastDiscoveryIT {

    private static final Duration FORMATION = Duration.ofSeconds(60);

    @RegisterExtension
    final TestHosts hosts = new TestHosts();

    private void threeNodesFormOneView(String... args) {
        List<NodeSpec> specs = hosts.newNodes(3);
        long startedAt = System.nanoTime();
        List<NodeProcess> nodes = hosts.cluster().startAll(specs.stream().map(spec -> spec.withArgs(args)).toList());
        Duration took = hosts.await(FORMATION).since(startedAt).until("every one of " + Views.namesOf(nodes)
                + " reports one view of exactly them, all UP", () -> Views.agree(nodes, nodes));
        System.out.println("multicast discovery" + (args.length > 0 ? " with " + args[0] : "") + ": one view of "
                + "three " + Await.seconds(took) + " after the launches");
    }

    @Test
    void threeNodesWithOnlyAClusterNameFindEachOtherByMulticast() {
        threeNodesFormOneView();
    }

    @Test
    void threeNodesWithASecretFindEachOtherByEncryptedMulticast() {
        threeNodesFormOneView("--secret", "it-secret-" + UUID.randomUUID());
    }
}
