package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.LogFiles;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.harness.Views;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.MemberState;
import io.ballast.protocol.MemberView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How the cluster sees a member die, leave, hang and come back: three nodes with {@code static:} discovery, one of
 * which is killed, terminated or stopped. Every limit is counted from the moment the signal was sent.
 */
class FailureDetectionIT {

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private List<NodeProcess> nodes;
    private List<NodeProcess> survivors;
    private NodeProcess victim;

    @BeforeEach
    void startThreeNodes() {
        nodes = cluster.startStatic(3);
        cluster.awaitOneView(Duration.ofSeconds(60), nodes);
        // A member that is not the coordinator: losing the coordinator is another story, for another test.
        String coordinator = nodes.get(0).view().coordinator();
        victim = nodes.stream().filter(node -> !node.name().equals(coordinator)).reduce((a, b) -> b).orElseThrow();
        survivors = nodes.stream().filter(node -> node != victim).toList();
    }

    @Test
    void killedNodeLeavesSurvivorsViewsWithinFiveSecondsAndRejoinsWhenRestarted() {
        long killedAt = System.nanoTime();
        victim.kill();
        Duration gone = cluster.await(Duration.ofSeconds(5)).since(killedAt).until(
                "both survivors report one view of just the two of them",
                () -> Views.agree(survivors, survivors));
        assertEquals(137, victim.awaitExit(Duration.ofSeconds(5)), "exit status after SIGKILL");
        timing("kill -9: survivors show 2 members after " + Await.seconds(gone));

        long restartedAt = System.nanoTime();
        victim.restart();
        Duration back = cluster.await(Duration.ofSeconds(60)).since(restartedAt).until(
                "all three report one view of all three again", () -> Views.agree(nodes, nodes));
        timing("kill -9, restart: all show 3 members after " + Await.seconds(back) + " from restarting the process");
    }

    @Test
    void terminatedNodeExitsZeroAndLeavesSurvivorsViewsWithinTwoSeconds() {
        long terminatedAt = System.nanoTime();
        victim.terminate();
        Duration gone = cluster.await(Duration.ofSeconds(2)).since(terminatedAt).until(
                "both survivors report one view of just the two of them",
                () -> Views.agree(survivors, survivors));
        assertEquals(0, victim.awaitExit(Duration.ofSeconds(20)), "exit status after SIGTERM");
        Duration exited = Duration.ofNanos(System.nanoTime() - terminatedAt);
        timing("SIGTERM: survivors show 2 members after " + Await.seconds(gone) + "; process exited 0 within "
                + Await.seconds(exited));
    }

    @Test
    void stoppedNodeLeavesSurvivorsViewsWithinFifteenSecondsAndRejoinsWhenContinued() {
        long stoppedAt = System.nanoTime();
        victim.pause();
        Duration suspected = cluster.await(Duration.ofSeconds(15)).since(stoppedAt).until(
                "both survivors show " + victim.name() + " as SUSPECT or not at all",
                () -> survivors.stream().allMatch(this::suspectsOrDroppedVictim));
        Duration gone = cluster.await(Duration.ofSeconds(15)).since(stoppedAt).until(
                "both survivors report one view of just the two of them",
                () -> Views.agree(survivors, survivors));
        timing("SIGSTOP: survivors show it SUSPECT after " + Await.seconds(suspected) + ", 2 members after "
                + Await.seconds(gone));

        long continuedAt = System.nanoTime();
        victim.resume();
        AtomicReference<ClusterView> firstAnswer = new AtomicReference<>();
        Duration answering = cluster.await(Duration.ofSeconds(10)).since(continuedAt).until(
                victim.name() + " answers again", () -> {
                    firstAnswer.set(victim.view());
                    return true;
                });
        timing("SIGCONT: " + victim.name() + " answers after " + Await.seconds(answering) + " and reports "
                + Views.summary(firstAnswer.get()));
        Duration back = cluster.await(Duration.ofSeconds(45)).since(continuedAt).until(
                "all three report one view of all three again", () -> Views.agree(nodes, nodes));
        timing("SIGCONT: all show 3 members after " + Await.seconds(back) + "; "
                + victim.name() + " logged: " + clusterEvents(victim));
    }

    private boolean suspectsOrDroppedVictim(NodeProcess observer) {
        return observer.view().members().stream()
                .filter(member -> member.name().equals(victim.name()))
                .map(MemberView::state)
                .allMatch(state -> state == MemberState.SUSPECT);
    }

    /** The cluster events a node logged, for the record of what happened. */
    private static List<String> clusterEvents(NodeProcess node) {
        return LogFiles.lines(node.logFile()).stream()
                .filter(line -> line.contains("ClusterEvents:") || line.contains("Membership:"))
                .map(line -> line.replaceFirst("^\\S+ +\\S+ +\\[[^]]*] ", ""))
                .toList();
    }

    private static void timing(String line) {
        System.out.println("[timing] " + line);
    }
}
