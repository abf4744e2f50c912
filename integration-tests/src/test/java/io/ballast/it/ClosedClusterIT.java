package io.ballast.it;

import io.ballast.it.harness.LogFiles;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.harness.Views;
import io.ballast.it.sessions.SessionClient.Visit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.ballast.it.sessions.SessionClient.visit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@code --secret} the cluster is closed: two members with the secret hold a session; a node with another
 * secret and a node with none, both pointed at the members by their {@code static:} discovery, stay alone in views
 * of their own, never show in the members' views, and cannot read the session (they run with {@code --balance off},
 * so they serve it themselves: a new session, counting from 1). The members keep agreeing and serving, and say in
 * their logs, once per intruder, why they dropped its messages.
 */
class ClosedClusterIT {

    private static final String SECRET = "it-secret-" + UUID.randomUUID();
    private static final String OTHER_SECRET = "it-other-secret-" + UUID.randomUUID();

    /**
     * How long the intruders are watched once they serve HTTP: long enough for their discovery, their join
     * attempt, and the periodic checks with which JGroups looks for other sides to merge with (every 5 to 10 s).
     */
    private static final Duration WATCH = Duration.ofSeconds(30);

    private static final String DROPPED = "WrongKeyFilter: dropped";

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    /** Whether {@code intruder} sees nobody but itself (or nobody yet: it may not have joined its own cluster). */
    private static boolean alone(NodeProcess intruder) {
        try {
            return Views.names(intruder.view()).stream().allMatch(intruder.name()::equals);
        } catch (UncheckedIOException e) {
            return true; // not serving HTTP yet
        }
    }

    private static List<String> dropLines(NodeProcess member) {
        return LogFiles.lines(member.logFile()).stream().filter(line -> line.contains(DROPPED)).toList();
    }

    @Test
    void nodesWithAnotherSecretOrNoneNeitherJoinNorReadTheSessions() {
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> members = cluster.startAll(specs.stream()
                .map(spec -> spec.withDiscovery(discovery).withArgs("--secret", SECRET)).toList());
        cluster.awaitOneView(Duration.ofSeconds(60), members);
        Visit made = visit(members.get(0), null);
        assertEquals(2, visit(members.get(1), made.session()).count(), "the session is shared by the members");

        NodeProcess otherSecret = cluster.start(cluster.newNode("other-secret").withDiscovery(discovery)
                .withArgs("--secret", OTHER_SECRET, "--balance", "off"));
        NodeProcess noSecret = cluster.start(cluster.newNode("no-secret").withDiscovery(discovery)
                .withArgs("--balance", "off"));
        List<NodeProcess> intruders = List.of(otherSecret, noSecret);
        cluster.awaitLive(Duration.ofSeconds(60), intruders);

        cluster.during(WATCH).always("the members agree on a view of the two of them, and each intruder sees "
                + "only itself", () -> Views.agree(members, members) && intruders.stream().allMatch(
                ClosedClusterIT::alone));
        for (NodeProcess intruder : intruders) {
            cluster.awaitOneView(Duration.ofSeconds(5), List.of(intruder));
        }

        for (NodeProcess member : members) {
            List<String> dropped = dropLines(member);
            assertTrue(dropped.stream().anyMatch(line -> line.contains("it runs with another --secret")),
                    member.name() + " heard from the node with another secret: " + dropped);
            assertTrue(dropped.stream().anyMatch(line -> line.contains("it runs without --secret")),
                    member.name() + " heard from the node without a secret: " + dropped);
            // the first drop from each intruder is reported, later ones once a minute: within the watch, two lines
            assertEquals(2, dropped.size(), member.name() + " reports drops once per intruder: " + dropped);
            assertEquals(List.of(), LogFiles.lines(member.logFile()).stream()
                    .filter(line -> line.contains("SYM_ENCRYPT") || line.contains("SERIALIZE")).toList(),
                    member.name() + ": nothing got past the filter to the decryption");
        }

        for (NodeProcess intruder : intruders) {
            Visit there = visit(intruder, made.session());
            assertEquals(intruder.name(), there.servedBy(), "served by the intruder itself");
            assertTrue(there.renewed(), intruder.name() + " did not start a new session: " + there);
            assertEquals(1, there.count(), intruder.name() + " read the members' session: " + there);
            assertNotEquals(made.session(), there.session());
        }
        assertEquals(3, visit(members.get(0), made.session()).count(), "the members' session goes on, untouched");
        assertEquals(4, visit(members.get(1), made.session()).count());
        assertTrue(Views.agree(members, members), "the members still agree on a view of the two of them");
    }
}
