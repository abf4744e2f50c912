package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operators see the cluster change as it happens on {@code /_ballast/events}, and can drain a node over HTTP with
 * the cluster secret.
 */
class EventsAndDrainIT {

    private static final String SECRET = "it-secret-" + UUID.randomUUID();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private static HttpResponse<String> drain(NodeProcess node, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + "/_ballast/drain"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eventStreamShowsAJoinAKillAndADrainAsTheyHappen() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(4);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeSpec> withSecret = specs.stream().map(s -> s.withDiscovery(discovery).withArgs("--secret", SECRET))
                .toList();
        List<NodeProcess> nodes = new ArrayList<>(cluster.startAll(withSecret.subList(0, 3)));
        cluster.awaitOneView(Duration.ofSeconds(60), nodes);
        NodeProcess watcher = nodes.get(0);

        List<String> lines = new CopyOnWriteArrayList<>();
        HttpRequest events = HttpRequest.newBuilder(URI.create(watcher.url() + "/_ballast/events")).GET().build();
        CompletableFuture<HttpResponse<Stream<String>>> stream = HTTP.sendAsync(events,
                HttpResponse.BodyHandlers.ofLines());
        stream.thenAccept(response -> response.body().forEach(lines::add));
        cluster.await(Duration.ofSeconds(10)).until("the event stream opens", () -> lines.contains("event:hello"));

        NodeProcess joiner = cluster.start(withSecret.get(3));
        nodes.add(joiner);
        cluster.await(Duration.ofSeconds(60)).until("member-joined " + joiner.name() + " on the stream",
                () -> hasEvent(lines, "member-joined", joiner.name()));

        NodeProcess victim = nodes.get(2);
        victim.kill();
        cluster.await(Duration.ofSeconds(10)).until("member-left " + victim.name() + " on the stream",
                () -> hasEvent(lines, "member-left", victim.name()));

        List<String> replayed = new CopyOnWriteArrayList<>();
        CompletableFuture<HttpResponse<Stream<String>>> late = HTTP.sendAsync(HttpRequest.newBuilder(
                URI.create(watcher.url() + "/_ballast/events?recent=50")).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        late.thenAccept(response -> response.body().forEach(replayed::add));
        cluster.await(Duration.ofSeconds(10)).until("a stream opened now with ?recent=50 replays the join and the "
                + "kill", () -> hasEvent(replayed, "member-joined", joiner.name())
                && hasEvent(replayed, "member-left", victim.name()));
        assertTrue(replayed.indexOf("event:hello") < indexOfEvent(replayed, "member-joined", joiner.name())
                        && indexOfEvent(replayed, "member-joined", joiner.name())
                        < indexOfEvent(replayed, "member-left", victim.name()),
                "hello, then the past events oldest first: " + replayed);
        late.cancel(true);
        for (String bad : List.of("51", "-1", "lots")) {
            HttpResponse<String> refused = watcher.get("/_ballast/events?recent=" + bad);
            assertEquals(400, refused.statusCode(), "recent=" + bad);
            assertTrue(refused.body().contains("\"error\":\"recent: '" + bad + "'"), refused.body());
        }

        NodeProcess drained = nodes.get(1);
        assertEquals(401, drain(drained, null).statusCode(), "no secret");
        assertEquals(401, drain(drained, "Bearer not-the-secret").statusCode(), "wrong secret");
        assertEquals(202, drain(drained, "Bearer " + SECRET).statusCode(), "the cluster secret");
        cluster.await(Duration.ofSeconds(10)).until("member-draining " + drained.name() + " on the stream",
                () -> hasEvent(lines, "member-draining", drained.name()));
        assertEquals(0, drained.awaitExit(Duration.ofSeconds(20)), "a drained node exits 0");
        cluster.await(Duration.ofSeconds(10)).until("member-left " + drained.name() + " on the stream",
                () -> hasEvent(lines, "member-left", drained.name()));
        stream.cancel(true);
    }

    @Test
    void withoutASecretOnlySigtermDrains() throws Exception {
        NodeProcess lone = cluster.startStatic(1).get(0);
        cluster.awaitOneView(Duration.ofSeconds(60), List.of(lone));
        assertEquals(403, drain(lone, "Bearer anything-at-all-here").statusCode());
        assertEquals(200, lone.get("/_ballast/health/ready").statusCode(), "still serving");
    }

    /** Whether the stream has had an event of {@code type} about {@code member}. */
    private static boolean hasEvent(List<String> lines, String type, String member) {
        return indexOfEvent(lines, type, member) >= 0;
    }

    /** The line where the first {@code type} event about {@code member} starts, or -1. */
    private static int indexOfEvent(List<String> lines, String type, String member) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).equals("event:" + type) && lines.get(i + 1).contains("\"member\":\"" + member + "\"")) {
                return i;
            }
        }
        return -1;
    }
}
