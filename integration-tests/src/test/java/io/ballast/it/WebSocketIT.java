package io.ballast.it;

import io.ballast.it.apps.AppProcess;
import io.ballast.it.apps.WebSocketEchoApp;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSockets through a node, served where they land and through a forward: a real client (the JDK's) against a real
 * WebSocket server in another process behind {@code --upstream}, and against the demo app's {@code /ws}. The nodes
 * place connections round robin ({@code --balance always}), so every other handshake to node A is forwarded to B.
 */
class WebSocketIT {

    private static final int CONNECTIONS = 6;
    private static final int MESSAGES = 5;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private final List<AppProcess> apps = new ArrayList<>();

    @AfterEach
    void stopApps() {
        apps.forEach(AppProcess::close);
    }

    /** One client connection: what the server sent, in order, and how it closed. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
            received.add("closed " + status);
            return null;
        }

        String next(String what) throws InterruptedException {
            String message = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(message, "no " + what + " within " + WAIT.toSeconds() + " s");
            return message;
        }
    }

    /**
     * Opens {@link #CONNECTIONS} WebSockets to {@code node}'s {@code /ws}, checks that each echoes every message and
     * closes cleanly, and returns each connection's greeting.
     */
    private static List<String> echoThrough(NodeProcess node) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<String> greetings = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            Client client = new Client();
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(WAIT)
                    .buildAsync(URI.create("ws://" + node.bind() + ":" + node.httpPort() + "/ws"), client)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            String greeting = client.next("greeting");
            greetings.add(greeting);
            for (int m = 0; m < MESSAGES; m++) {
                String text = "message " + m + " of connection " + c;
                socket.sendText(text, true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(text, client.next("echo"), "connection " + c + " (" + greeting + ")");
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals("closed " + WebSocket.NORMAL_CLOSURE, client.next("close"), greeting);
        }
        return greetings;
    }

    @Test
    void webSocketsReachAnUpstreamServerHereAndThroughAForward() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeSpec> withApps = new ArrayList<>();
        for (NodeSpec spec : specs) {
            AppProcess app = AppProcess.start(WebSocketEchoApp.class, spec.bind(), cluster.ports().tcp(spec.bind()),
                    spec.name(), cluster.logDir().resolve(spec.name() + "-ws-app.log"));
            apps.add(app);
            withApps.add(spec.withDiscovery(discovery).withArgs("--upstream", app.url(), "--balance", "always",
                    "--strategy", "round-robin"));
        }
        List<NodeProcess> nodes = cluster.startAll(withApps);
        cluster.awaitOneView(Duration.ofSeconds(40), nodes);
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);

        List<String> greetings = echoThrough(a);
        assertTrue(greetings.contains("app " + a.name()), "none served by A's own app: " + greetings);
        assertTrue(greetings.contains("app " + b.name() + " via 1.1 " + a.name()),
                "none forwarded to B's app: " + greetings);
        for (String greeting : greetings) {
            assertTrue(greeting.equals("app " + a.name()) || greeting.equals("app " + b.name() + " via 1.1 "
                    + a.name()), "an app behind another node, or more than one hop: " + greeting);
        }
    }

    @Test
    void theDemoAppsWebSocketWorksHereAndThroughAForward() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = cluster.startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--balance", "always", "--strategy", "round-robin")).toList());
        cluster.awaitOneView(Duration.ofSeconds(40), nodes);
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);

        List<String> greetings = echoThrough(a);
        assertTrue(greetings.contains("connected to " + a.name()), "none served by A: " + greetings);
        assertTrue(greetings.contains("connected to " + b.name() + " via 1.1 " + a.name()),
                "none forwarded to B: " + greetings);
    }
}
