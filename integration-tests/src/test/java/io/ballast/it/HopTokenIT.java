package io.ballast.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.RawHttp;
import io.ballast.it.harness.TestCluster;
import io.ballast.protocol.HopNonce;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that sends hop tokens of its own, forged, misdirected, expired or replayed, gains nothing: its request is
 * treated as any client's, and no request ever takes a second hop. The nodes place every request round robin
 * ({@code --balance always}), so a request treated as a client's is forwarded two times in three; with
 * {@code --secret} the test can also sign tokens exactly as a node does.
 */
class HopTokenIT {

    private static final String SECRET = "it-secret-" + UUID.randomUUID();
    private static final String PATH = "/hello";
    private static final int TRIES = 9;
    /** Counter nonces, as a node makes them: a valid token must carry one. */
    private static final HopNonce.Source NONCES = new HopNonce.Source();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    static final TestCluster CLUSTER = new TestCluster();

    private static List<NodeProcess> nodes;
    private static HopToken nodesKey;

    @BeforeAll
    static void startThreeRoundRobinNodes() throws Exception {
        List<NodeSpec> specs = CLUSTER.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        nodes = CLUSTER.startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--balance", "always", "--strategy", "round-robin", "--secret", SECRET)).toList());
        CLUSTER.awaitOneView(Duration.ofSeconds(40), nodes);
        // the key a node derives from --secret
        nodesKey = HopToken.forSecret(SECRET);
    }

    private static String token(HopToken key, String sender, String target, long timestampMs) {
        return key.sign(sender, target, "GET", PATH, timestampMs, NONCES.next());
    }

    private static HttpResponse<String> getWithToken(NodeProcess node, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.url() + PATH))
                .timeout(Duration.ofSeconds(10)).header("X-Ballast-Hop", token).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends {@code token} to {@code node} {@link #TRIES} times and checks that it was never honoured: some of the
     * requests were forwarded (a token honoured pins the request where it lands), none took two hops.
     */
    private static void assertTreatedAsAClientsRequest(String what, NodeProcess node, String token)
            throws Exception {
        List<String> vias = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            HttpResponse<String> response = getWithToken(node, token);
            assertEquals(200, response.statusCode(), what + ": " + response.body());
            String via = response.headers().firstValue("Via").orElse(null);
            String servedBy = response.headers().firstValue("X-Served-By").orElseThrow();
            if (via != null) {
                assertEquals(1, via.split(",").length, what + ": more than one hop: Via " + via);
                assertEquals("1.1 " + node.name(), via.trim(), what + ": forwarded by another node than it reached");
                assertFalse(servedBy.equals(node.name()), what + ": forwarded, yet served by " + servedBy);
            }
            vias.add(via);
        }
        assertTrue(vias.stream().anyMatch(v -> v != null), what + ": never forwarded, so the token was honoured");
    }

    @Test
    void validTokenIsServedWhereItLands() throws Exception {
        NodeProcess b = nodes.get(1);
        for (int i = 0; i < TRIES; i++) {
            HttpResponse<String> response = getWithToken(b, token(nodesKey, nodes.get(0).name(), b.name(),
                    System.currentTimeMillis()));
            assertEquals(b.name(), response.headers().firstValue("X-Served-By").orElse(null));
            assertNull(response.headers().firstValue("Via").orElse(null), "a valid token was forwarded again");
        }
    }

    @Test
    void replayedTokenIsTreatedAsAClientsRequest() throws Exception {
        NodeProcess b = nodes.get(1);
        String token = token(nodesKey, nodes.get(0).name(), b.name(), System.currentTimeMillis());
        HttpResponse<String> first = getWithToken(b, token);
        assertNull(first.headers().firstValue("Via").orElse(null), "first use is honoured");
        assertTreatedAsAClientsRequest("replayed token", b, token);
    }

    @Test
    void forgedTokenIsTreatedAsAClientsRequest() throws Exception {
        NodeProcess b = nodes.get(1);
        HopToken wrongKey = new HopToken("not the cluster's secret at all".getBytes(StandardCharsets.UTF_8));
        assertTreatedAsAClientsRequest("garbage token", b, "v1.garbage.token.1.x.y");
        assertTreatedAsAClientsRequest("token under another key", b,
                token(wrongKey, nodes.get(0).name(), b.name(), System.currentTimeMillis()));
    }

    @Test
    void tokenForAnotherNodeOrTimeIsTreatedAsAClientsRequest() throws Exception {
        NodeProcess b = nodes.get(1);
        assertTreatedAsAClientsRequest("token for another node", b,
                token(nodesKey, nodes.get(0).name(), nodes.get(2).name(), System.currentTimeMillis()));
        assertTreatedAsAClientsRequest("expired token", b,
                token(nodesKey, nodes.get(0).name(), b.name(), System.currentTimeMillis() - 60_000));
    }

    @Test
    void hopByHopHeadersNeverReachAPeer() throws Exception {
        NodeProcess a = nodes.get(0);
        String client = CLUSTER.newAddress();
        Map<String, String> sent = Map.of("Connection", "keep-alive, X-Private-Hop", "X-Private-Hop", "secret",
                "Keep-Alive", "timeout=5", "Proxy-Authorization", "Basic c2VjcmV0", "TE", "trailers",
                "X-End-To-End", "kept");
        int forwarded = 0;
        try (RawHttp connection = RawHttp.connect(client, a.bind(), a.httpPort())) {
            for (int i = 0; i < TRIES; i++) {
                RawHttp.Response response = connection.get("/headers", sent, Duration.ofSeconds(10));
                assertEquals(200, response.status(), response.bodyText());
                JsonNode seen = Json.mapper().readTree(response.bodyText()).get("headers");
                if (response.header("via") == null) {
                    assertEquals("secret", seen.path("x-private-hop").path(0).asText(),
                            "served where it landed, the app sees the request as sent: " + seen);
                    continue;
                }
                forwarded++;
                for (String hopByHop : List.of("x-private-hop", "keep-alive", "proxy-authorization", "te",
                        "x-ballast-hop")) {
                    assertFalse(seen.has(hopByHop), hopByHop + " reached the peer that served it: " + seen);
                }
                assertEquals("kept", seen.path("x-end-to-end").path(0).asText(), "end-to-end header: " + seen);
                assertEquals(client, seen.path("x-forwarded-for").path(0).asText(), "the client's address: " + seen);
            }
        }
        assertTrue(forwarded > 0, "no request was forwarded");
    }

    @Test
    void clientsOwnViaAndForwardedForAreNotTrusted() throws Exception {
        NodeProcess a = nodes.get(0);
        for (int i = 0; i < TRIES; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(a.url() + PATH))
                    .timeout(Duration.ofSeconds(10)).header("Via", "1.1 " + nodes.get(1).name())
                    .header("X-Forwarded-For", "203.0.113.9").GET().build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            response.headers().firstValue("Via").ifPresent(via ->
                    assertEquals("1.1 " + a.name(), via.trim(), "response Via lists only the forwarding node"));
        }
    }
}
