package io.ballast.bench.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node's cluster traffic and CPU time so far, read at one moment: the transport's counters from its
 * {@code /_ballast/metrics} and the CPU time of its process (utime + stime, from {@code /proc/<pid>/stat}). Two
 * samples of the same node give its rates over the time between them.
 *
 * @param node             the node's name
 * @param nanos            {@link System#nanoTime()} when its metrics had been read
 * @param messagesSent     {@code ballast_cluster_messages_sent_total}
 * @param messagesReceived {@code ballast_cluster_messages_received_total}
 * @param bytesSent        {@code ballast_cluster_bytes_sent_total}
 * @param bytesReceived    {@code ballast_cluster_bytes_received_total}
 * @param cpuNanos         CPU time of the node's process
 */
public record TrafficSample(String node, long nanos, long messagesSent, long messagesReceived, long bytesSent,
                            long bytesReceived, long cpuNanos) {

    private static final int ATTEMPTS = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    static final List<String> COUNTERS = List.of("ballast_cluster_messages_sent_total",
            "ballast_cluster_messages_received_total", "ballast_cluster_bytes_sent_total",
            "ballast_cluster_bytes_received_total");

    /**
     * Every node's sample, one node after the other; a node that does not answer three times in a row (10 s each)
     * fails the whole sample.
     */
    public static List<TrafficSample> take(List<NodeProcess> nodes) {
        List<TrafficSample> samples = new ArrayList<>();
        for (NodeProcess node : nodes) {
            samples.add(take(node));
        }
        return samples;
    }

    static TrafficSample take(NodeProcess node) {
        URI uri = node.url().resolve("/_ballast/metrics");
        Optional<HttpResponse<String>> response = Optional.empty();
        // a node on a saturated machine may take seconds to answer now and then
        for (int attempt = 0; attempt < ATTEMPTS && (response.isEmpty() || response.get().statusCode() != 200);
             attempt++) {
            response = get(uri);
        }
        if (response.isEmpty() || response.get().statusCode() != 200) {
            throw new IllegalStateException("no metrics from " + node + " (" + response.map(r -> "HTTP "
                    + r.statusCode()).orElse("no answer") + ")");
        }
        long nanos = System.nanoTime();
        long cpu = node.handle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
        long[] values = new long[COUNTERS.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = counter(response.get().body(), COUNTERS.get(i))
                    .orElseThrow(() -> new IllegalStateException("no cluster traffic counters in the metrics of "
                            + node + ": a node built before they were added?"));
        }
        return new TrafficSample(node.name(), nanos, values[0], values[1], values[2], values[3], cpu);
    }

    private static Optional<HttpResponse<String>> get(URI uri) {
        try {
            return Optional.of(HTTP.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
    }

    /** The value of an unlabelled-but-for-{@code node} counter in Prometheus' text format. */
    static OptionalLong counter(String metrics, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*} (\\S+)$").matcher(metrics);
        return matcher.find() ? OptionalLong.of((long) Double.parseDouble(matcher.group(1))) : OptionalLong.empty();
    }
}
