package io.ballast.it;

import io.ballast.it.apps.AppProcess;
import io.ballast.it.harness.LogFiles;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.RawHttp;
import io.ballast.it.harness.TestCluster;
import io.ballast.protocol.Json;
import io.ballast.protocol.MemberView;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * An application that throws or hangs costs its own request only: the client gets an answer (or, once the answer
 * has started, a connection closed on a visibly cut-off body), the failure is logged once, its capacity slot is
 * free again, and the node serves the next request as before. One node with a single capacity slot and a 1 s
 * request timeout serves most of these, so that a slot that was not given back would show at once.
 */
class RecoveryIT {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    /** What a busy machine may add to a timeout before the client sees its answer. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    private static NodeProcess node;

    @BeforeAll
    static void startOneNodeWithOneSlot() {
        NodeSpec spec = cluster.newNode();
        node = cluster.start(spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)))
                .withArgs("--capacity", "1", "--request-timeout", REQUEST_TIMEOUT.toMillis() + "ms"));
        cluster.awaitOneView(Duration.ofSeconds(60), List.of(node));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/fail", "/fail?after=0"})
    void aHandlerThatThrowsGets500JsonWithItsRequestIdIsLoggedOnceAndTheNodeServesOn(String path)
            throws Exception {
        String id = "it-" + UUID.randomUUID();
        HttpResponse<String> response = get(node, path, id, Duration.ofSeconds(10));

        assertEquals(500, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        assertEquals(id, response.headers().firstValue("X-Request-Id").orElse(null));
        assertEquals(node.name(), response.headers().firstValue("X-Served-By").orElse(null));
        Map<?, ?> body = Json.read(response.body(), Map.class);
        assertEquals(id, body.get("requestId"), response.body());
        assertTrue(body.get("error") instanceof String error && !error.isBlank(), response.body());

        assertLoggedOnceWithItsStack(id, "request " + id + " (GET /fail) failed; answered 500");
        assertHelloServed(node);
    }

    @Test
    void aHandlerThatThrowsAfterItsResponseStartedHasTheConnectionClosedOnACutOffBody() {
        String id = "it-" + UUID.randomUUID();
        try (RawHttp http = RawHttp.connect(node)) {
            http.send("GET /fail?after=100 HTTP/1.1\r\nHost: it\r\nX-Request-Id: " + id + "\r\n\r\n");
            RawHttp.Response response = http.readResponse(Duration.ofSeconds(10));
            assertEquals(200, response.status(), "the status went out before the handler threw");
            assertEquals("chunked", response.header("Transfer-Encoding"));
            assertEquals("x".repeat(100), response.bodyText(), "the bytes sent before the failure arrive");
            assertFalse(response.complete(), "no last chunk: the client can tell the body was cut off");
            assertTrue(http.closedByServer(Duration.ofSeconds(2)), "the node closed the connection");
        }
        assertLoggedOnceWithItsStack(id, "request " + id + " (GET /fail) failed after its response had started; "
                + "connection closed");
        assertHelloServed(node);
    }

    @Test
    void aHandlerThatHangsIsAnswered503AtTheRequestTimeoutAndItsSlotGoesToTheNextRequest() throws Exception {
        String id = "it-" + UUID.randomUUID();
        int logMark = LogFiles.lines(node.logFile()).size();
        long hangMs = 5_000;
        long start = System.nanoTime();
        CompletableFuture<Long> answeredAt = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> hanging = HTTP.sendAsync(request(node, "/hang?ms=" + hangMs, id,
                Duration.ofSeconds(10)), HttpResponse.BodyHandlers.ofString())
                .whenComplete((response, error) -> answeredAt.complete(System.nanoTime()));
        cluster.await(Duration.ofSeconds(5)).until("the hanging request holds the node's one slot",
                () -> self(node).inFlight() == 1);

        // queued behind the hanging request: served as soon as the timeout frees the slot, not when the handler wakes
        long queuedAt = System.nanoTime();
        HttpResponse<String> queued = get(node, "/hello", null, Duration.ofSeconds(10));
        Duration queuedFor = Duration.ofNanos(System.nanoTime() - queuedAt);
        assertEquals(200, queued.statusCode(), queued.body());
        assertTrue(queuedFor.compareTo(REQUEST_TIMEOUT.plus(SLACK)) < 0, "the queued request waited " + queuedFor);

        HttpResponse<String> response = hanging.get(10, TimeUnit.SECONDS);
        Duration answeredAfter = Duration.ofNanos(answeredAt.get() - start);
        assertEquals(503, response.statusCode(), response.body());
        assertTrue(answeredAfter.compareTo(REQUEST_TIMEOUT.minusMillis(100)) >= 0
                && answeredAfter.compareTo(REQUEST_TIMEOUT.plus(SLACK)) <= 0, "answered after " + answeredAfter);
        assertEquals(id, response.headers().firstValue("X-Request-Id").orElse(null));
        Map<?, ?> body = Json.read(response.body(), Map.class);
        assertEquals(id, body.get("requestId"), response.body());
        assertEquals(node.name(), body.get("node"), response.body());
        cluster.await(Duration.ofSeconds(5)).until("no request in flight at the node",
                () -> self(node).inFlight() == 0);

        // the handler wakes after the timeout and writes its late answer: nothing breaks, nothing is logged as error
        long wokenBy = start + TimeUnit.MILLISECONDS.toNanos(hangMs + 500);
        cluster.during(Duration.ofNanos(Math.max(0, wokenBy - System.nanoTime()))).always(
                "the node serves /hello while the hung handler sleeps", () -> hello(node));
        assertHelloServed(node);
        List<String> all = LogFiles.lines(node.logFile());
        List<String> log = all.subList(Math.min(logMark, all.size()), all.size());
        assertEquals(1, count(log, "request " + id + " (GET /hang): no answer from the application within "
                + REQUEST_TIMEOUT.toMillis() + " ms; answered 503"), String.join("\n", log));
        assertEquals(List.of(), log.stream().filter(line -> line.contains(" ERROR ") || line.contains("UT0"))
                .toList(), "nothing logged as an error");
    }

    @Test
    void anUpstreamThatDoesNotAnswerInTimeGets504() throws Exception {
        NodeSpec spec = cluster.newNode();
        try (AppProcess app = AppProcess.start(spec.bind(), cluster.ports().tcp(spec.bind()), spec.name(),
                cluster.logDir().resolve(spec.name() + "-app.log"))) {
            NodeProcess fronting = cluster.start(spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)))
                    .withArgs("--upstream", app.url(), "--request-timeout", REQUEST_TIMEOUT.toMillis() + "ms"));
            cluster.awaitOneView(Duration.ofSeconds(60), List.of(fronting));

            long start = System.nanoTime();
            HttpResponse<String> response = get(fronting, "/sleep?ms=5000", null, Duration.ofSeconds(10));
            Duration answeredAfter = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(504, response.statusCode(), response.body());
            assertTrue(answeredAfter.compareTo(REQUEST_TIMEOUT.minusMillis(100)) >= 0
                    && answeredAfter.compareTo(REQUEST_TIMEOUT.plus(SLACK)) <= 0, "answered after " + answeredAfter);
            HttpResponse<String> hello = get(fronting, "/hello", null, Duration.ofSeconds(5));
            assertEquals(200, hello.statusCode());
            assertTrue(hello.body().startsWith("hello from app"), hello.body());
        }
    }

    @Test
    void aPeerWhoseApplicationHangsAnswers503ItselfThroughTheForward() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(2);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> pair = cluster.startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)
                .withArgs("--balance", "always", "--strategy", "round-robin",
                        "--request-timeout", REQUEST_TIMEOUT.toMillis() + "ms")).toList());
        cluster.awaitOneView(Duration.ofSeconds(60), pair);
        NodeProcess a = pair.get(0);
        NodeProcess b = pair.get(1);

        for (int attempt = 0; attempt < 6; attempt++) {
            long start = System.nanoTime();
            HttpResponse<String> response = get(a, "/hang?ms=3000", null, Duration.ofSeconds(10));
            Duration answeredAfter = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(503, response.statusCode(), "the node that ran the application answers, not the "
                    + "forwarding one's 504: " + response.body());
            if (b.name().equals(response.headers().firstValue("X-Served-By").orElse(null))) {
                assertTrue(response.headers().allValues("Via").stream().anyMatch(via -> via.contains(a.name())),
                        "forwarded through " + a.name() + ": " + response.headers().map());
                assertEquals(b.name(), Json.read(response.body(), Map.class).get("node"), response.body());
                assertTrue(answeredAfter.compareTo(REQUEST_TIMEOUT.plus(SLACK)) <= 0, "after " + answeredAfter);
                return;
            }
        }
        fail("round robin never forwarded /hang from " + a.name() + " to " + b.name());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** The failure's log line appears once, followed by its stack, and Undertow's own report of it not at all. */
    private static void assertLoggedOnceWithItsStack(String id, String line) {
        cluster.await(Duration.ofSeconds(5)).until("the node logs the failure of " + id,
                () -> count(LogFiles.lines(node.logFile()), line) > 0);
        List<String> log = LogFiles.lines(node.logFile());
        assertEquals(1, count(log, line), "logged once: " + line);
        int at = indexOf(log, line);
        assertTrue(log.get(at + 1).contains("IllegalStateException") && log.get(at + 1).contains("(request " + id
                + ")"), "the exception follows: " + log.get(at + 1));
        assertTrue(log.get(at + 2).strip().startsWith("at "), "then its stack: " + log.get(at + 2));
        assertEquals(1, count(log, "(request " + id + ")"), "the exception appears once in the whole log");
        assertEquals(0, count(log, "UT005071"), "Undertow's own report of the failure is not logged");
    }

    private static void assertHelloServed(NodeProcess target) {
        HttpResponse<String> hello = target.get("/hello");
        assertEquals(200, hello.statusCode(), hello.body());
        assertEquals(target.name(), hello.headers().firstValue("X-Served-By").orElse(null));
    }

    private static boolean hello(NodeProcess target) {
        return target.get("/hello").statusCode() == 200;
    }

    private static MemberView self(NodeProcess target) {
        return target.view().members().stream().filter(member -> member.name().equals(target.name())).findFirst()
                .orElseThrow(() -> new AssertionError(target.name() + " is not in its own view"));
    }

    private static HttpRequest request(NodeProcess target, String path, String requestId, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target.url() + path)).timeout(timeout).GET();
        if (requestId != null) {
            request.header("X-Request-Id", requestId);
        }
        return request.build();
    }

    private static HttpResponse<String> get(NodeProcess target, String path, String requestId, Duration timeout)
            throws Exception {
        return HTTP.send(request(target, path, requestId, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private static long count(List<String> lines, String text) {
        return lines.stream().filter(line -> line.contains(text)).count();
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("not in the log: " + text);
    }
}
