package io.ballast.it;

import io.ballast.it.harness.LogFiles;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.RawHttp;
import io.ballast.it.harness.TestCluster;
import io.ballast.protocol.Json;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application that throws costs its own request only: the client gets an answer (or, once the answer has started,
 * a connection closed on a visibly cut-off body), the failure is logged once, and the node serves the next request
 * as before. One node with a single capacity slot serves these, so that a slot that was not given back would show
 * at once.
 */
class RecoveryIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    static final TestCluster cluster = new TestCluster();

    private static NodeProcess node;

    @BeforeAll
    static void startOneNodeWithOneSlot() {
        NodeSpec spec = cluster.newNode();
        node = cluster.start(spec.withDiscovery(NodeSpec.staticDiscovery(List.of(spec)))
                .withArgs("--capacity", "1"));
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
