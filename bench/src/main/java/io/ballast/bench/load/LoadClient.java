package io.ballast.bench.load;

import io.ballast.protocol.BallastHeaders;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The non-blocking HTTP client that sends the load: JDK {@link HttpClient}, HTTP/1.1 with keep-alive, completions
 * on a small executor, so thousands of requests can be outstanding on a handful of threads. One per measured
 * configuration, so that no pooled connection outlives it.
 */
public final class LoadClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient http;
    private final Duration timeout;

    /** @param timeout how long a request may take before it counts as an error ({@code timeout}) */
    public LoadClient(Executor executor, Duration timeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor)
                .build();
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /** A GET of {@code pathAndQuery} on {@code target}; immutable, so it is built once and sent many times. */
    HttpRequest request(Target target, String pathAndQuery) {
        return HttpRequest.newBuilder(target.url().resolve(pathAndQuery)).timeout(timeout).GET().build();
    }

    /**
     * Sends {@code request} and records its outcome in {@code tally}, the latency counted from {@code startNanos}
     * (when it was due). The returned future completes after the outcome is recorded, never exceptionally.
     */
    CompletableFuture<Void> send(HttpRequest request, Target target, long startNanos, Tally tally) {
        CompletableFuture<HttpResponse<Void>> response;
        try {
            response = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handle((answer, error) -> {
            long latency = System.nanoTime() - startNanos;
            if (error != null) {
                tally.failed(target, ErrorLabel.of(error), startNanos);
            } else if (answer.statusCode() / 100 != 2) {
                tally.failed(target, ErrorLabel.ofStatus(answer.statusCode()), startNanos);
            } else {
                tally.succeeded(target, answer.headers().firstValue(BallastHeaders.SERVED_BY).orElse(null),
                        answer.headers().firstValue("Via").isPresent(), startNanos, latency);
            }
            return null;
        });
    }
}
