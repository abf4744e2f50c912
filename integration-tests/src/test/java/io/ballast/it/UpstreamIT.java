package io.ballast.it;

import io.ballast.it.apps.AppProcess;
import io.ballast.it.apps.Bytes;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Nodes in front of a real application in another process ({@code --upstream}), each node its own app. The nodes
 * place requests round robin ({@code --balance always}), so every other request to node A goes through a forward to
 * node B and B's app.
 */
class UpstreamIT {

    private static final long FIFTY_MB = 50L * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    private final List<AppProcess> apps = new ArrayList<>();

    @AfterEach
    void stopApps() {
        apps.forEach(AppProcess::close);
    }

    /** Two nodes, each in front of its own app; returns the nodes, with {@link #apps} in the same order. */
    private List<NodeProcess> startTwoWithApps() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeSpec> withApps = new ArrayList<>();
        for (NodeSpec spec : specs) {
            AppProcess app = AppProcess.start(spec.bind(), cluster.ports().tcp(spec.bind()), spec.name(),
                    cluster.logDir().resolve(spec.name() + "-app.log"));
            apps.add(app);
            withApps.add(spec.withDiscovery(discovery).withArgs("--upstream", app.url(), "--balance", "always",
                    "--strategy", "round-robin", "--max-body", "64m"));
        }
        List<NodeProcess> nodes = cluster.startAll(withApps);
        cluster.awaitOneView(Duration.ofSeconds(40), nodes);
        return nodes;
    }

    @Test
    void fiftyMegabytesCrossAForwardIntactBothWays() throws Exception {
        List<NodeProcess> nodes = startTwoWithApps();
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        long seed = 20261121;
        String expected = Bytes.sha256(Bytes.stream(seed, FIFTY_MB), null);

        boolean uploaded = false;
        for (int attempt = 0; attempt < 4 && !uploaded; attempt++) {
            HttpRequest upload = HttpRequest.newBuilder(URI.create(a.url() + "/digest"))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> Bytes.stream(seed, FIFTY_MB)), FIFTY_MB))
                    .build();
            HttpResponse<String> response = HTTP.send(upload, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            if (isForwardedTo(response, b)) {
                assertTrue(response.body().contains("\"sha256\":\"" + expected + "\""), response.body());
                assertTrue(response.body().contains("\"length\":" + FIFTY_MB), response.body());
                assertTrue(response.body().contains("\"app\":\"" + b.name() + "\""), response.body());
                uploaded = true;
            }
        }
        assertTrue(uploaded, "no upload went through a forward to " + b.name());

        boolean downloaded = false;
        for (int attempt = 0; attempt < 4 && !downloaded; attempt++) {
            HttpRequest download = HttpRequest.newBuilder(URI.create(a.url() + "/bytes?size=" + FIFTY_MB + "&seed="
                    + seed)).timeout(Duration.ofSeconds(60)).GET().build();
            HttpResponse<InputStream> response = HTTP.send(download, HttpResponse.BodyHandlers.ofInputStream());
            long[] length = new long[1];
            String digest;
            try (InputStream body = response.body()) {
                digest = Bytes.sha256(body, length);
            }
            assertEquals(200, response.statusCode());
            if (isForwardedTo(response, b)) {
                assertEquals(FIFTY_MB, length[0], "length of the forwarded download");
                assertEquals(expected, digest, "digest of the forwarded download");
                downloaded = true;
            }
        }
        assertTrue(downloaded, "no download went through a forward to " + b.name());
    }

    @Test
    void nodeWhoseAppDiesIsNotReadyGetsNoForwardsAndAnswers502OnlyWhenNoPeerCanServe() throws Exception {
        List<NodeProcess> nodes = startTwoWithApps();
        NodeProcess a = nodes.get(0);
        NodeProcess b = nodes.get(1);
        assertEquals(200, a.get("/_ballast/health/ready").statusCode());

        apps.get(0).close();
        cluster.await(Duration.ofSeconds(5)).until(a.name() + " reports itself not ready",
                () -> a.get("/_ballast/health/ready").statusCode() == 503);
        cluster.await(Duration.ofSeconds(5)).until(b.name() + " stops forwarding to " + a.name(),
                () -> servedBy(b, 6).stream().allMatch(b.name()::equals));
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> response = a.get("/hello");
            assertEquals(200, response.statusCode(), "request " + i + " to " + a.name() + ": " + response.body());
            assertEquals(b.name(), response.headers().firstValue("X-Served-By").orElse(null),
                    "a node whose app is down hands its requests to a peer");
        }

        apps.get(1).close();
        cluster.await(Duration.ofSeconds(5)).until(b.name() + " reports itself not ready",
                () -> b.get("/_ballast/health/ready").statusCode() == 503);
        // once A has B's report that B cannot serve either, A answers itself, naming its own upstream
        cluster.await(Duration.ofSeconds(5)).until(a.name() + " answers 502 naming its upstream", () -> {
            HttpResponse<String> response = a.get("/hello");
            return response.statusCode() == 502 && response.body().contains(apps.get(0).url())
                    && a.name().equals(response.headers().firstValue("X-Served-By").orElse(null));
        });
    }

    private static List<String> servedBy(NodeProcess node, int requests) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            names.add(node.get("/hello").headers().firstValue("X-Served-By").orElse("?"));
        }
        return names;
    }

    private static boolean isForwardedTo(HttpResponse<?> response, NodeProcess peer) {
        boolean servedThere = peer.name().equals(response.headers().firstValue("X-Served-By").orElse(null));
        boolean via = response.headers().firstValue("Via").isPresent();
        if (servedThere != via) {
            fail("X-Served-By " + response.headers().firstValue("X-Served-By") + " and Via "
                    + response.headers().firstValue("Via") + " disagree");
        }
        return servedThere;
    }
}
