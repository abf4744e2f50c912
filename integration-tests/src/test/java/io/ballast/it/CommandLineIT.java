package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that cannot start as asked says why in one line on standard error and exits with status 2.
 */
class CommandLineIT {

    private static final Duration EXIT_LIMIT = Duration.ofSeconds(30);
    private static final int EXIT_USAGE = 2;

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    /** A node that would start fine: it lists only itself, so it never reaches out to anyone. */
    private NodeSpec validNode() {
        NodeSpec spec = cluster.newNode();
        return spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)));
    }

    @Test
    void httpPortOutOfRangeExitsTwoWithOneLineNamingTheOption() {
        NodeProcess node = cluster.start(validNode().withHttpPort(70_000));
        assertExitsTwoWithOneLine(node, "--http-port", "70000");
    }

    @Test
    void unknownOptionExitsTwoWithOneLineNamingIt() {
        NodeProcess node = cluster.start(validNode().withArgs("--no-such-option", "1"));
        assertExitsTwoWithOneLine(node, "--no-such-option");
    }

    @Test
    void unknownDiscoveryExitsTwoWithOneLineNamingTheOption() {
        NodeProcess node = cluster.start(validNode().withDiscovery("bogus"));
        assertExitsTwoWithOneLine(node, "--discovery", "bogus");
    }

    @Test
    void httpPortInUseExitsTwoWithOneLineNamingTheOption() throws Exception {
        NodeSpec spec = validNode();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName(spec.bind()), spec.httpPort()));
            NodeProcess node = cluster.start(spec);
            assertExitsTwoWithOneLine(node, "--http-port", Integer.toString(spec.httpPort()));
        }
    }

    @Test
    void dataDirThatIsAFileExitsTwoWithOneLineAndLeavesTheFileAlone() throws Exception {
        Path file = Files.writeString(cluster.logDir().resolve("not-a-directory"), "keep me\n");
        NodeProcess node = cluster.start(validNode().withArgs("--data-dir", file.toString()));
        assertExitsTwoWithOneLine(node, "--data-dir", file.toString());
        assertEquals("keep me\n", Files.readString(file));
    }

    @Test
    void dataDirHeldByARunningNodeExitsTwoWithOneLineNamingTheHolder() throws Exception {
        Path dataDir = cluster.logDir().resolve("data");
        NodeSpec first = validNode().withArgs("--data-dir", dataDir.toString());
        NodeProcess holder = cluster.start(first);
        cluster.awaitLive(Duration.ofSeconds(60), List.of(holder));
        Path lock = dataDir.resolve(first.name()).resolve(".lock");
        String held = Files.readString(lock);
        // the same node started twice, say by a careless restart script
        NodeProcess second = cluster.start(validNode().withName(first.name())
                .withArgs("--data-dir", dataDir.toString()));
        assertExitsTwoWithOneLine(second, "--data-dir", "held by process " + holder.pid());
        assertTrue(holder.isAlive(), "the holder runs on");
        assertEquals(held, Files.readString(lock), "the holder's lock file is left as it was");
    }

    @Test
    void badSessionOptionsExitTwoWithOneLineNamingTheOption() {
        assertExitsTwoWithOneLine(cluster.start(validNode().withArgs("--session-timeout", "forever")),
                "--session-timeout", "forever");
        assertExitsTwoWithOneLine(cluster.start(validNode().withArgs("--sessions", "sticky")), "--sessions",
                "sticky");
    }

    private static void assertExitsTwoWithOneLine(NodeProcess node, String... mentions) {
        int status = node.awaitExit(EXIT_LIMIT);
        List<String> stderr = node.stderr();
        String context = "\nstderr: " + stderr + "\nlast lines of " + node.logFile() + ":\n"
                + String.join("\n", node.logTail(30));
        assertEquals(EXIT_USAGE, status, () -> "exit status" + context);
        assertEquals(1, stderr.size(), () -> "lines on stderr" + context);
        for (String mention : mentions) {
            assertTrue(stderr.get(0).contains(mention), () -> "stderr names " + mention + context);
        }
    }
}
