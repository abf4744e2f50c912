package io.ballast.it.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Load at a fixed arrival rate, whatever the servers do (an open loop): request i is due at {@code start + i/rate},
 * is sent then without waiting for earlier answers, and its latency counts from when it was due. Requests go to the
 * targets in turn, as DNS round robin would spread clients. Bounded in count and time: {@code rate × duration}
 * requests, each with its own timeout.
 */
public final class OpenLoop {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

    private OpenLoop() {
    }

    /**
     * Sends {@code pathAndQuery} to {@code targets} (base URLs) in turn at {@code perSecond} for {@code duration},
     * and returns once every answer is in.
     */
    public static List<Outcome> run(List<String> targets, String pathAndQuery, double perSecond, Duration duration) {
        Running load = start(targets, pathAndQuery, perSecond, duration);
        return load.awaitEnd();
    }

    /**
     * Starts the same load in the background for at most {@code atMost}, for a test that acts while it runs and
     * {@link Running#stop() stops} it when done.
     */
    public static Running start(List<String> targets, String pathAndQuery, double perSecond, Duration atMost) {
        return new Running(List.copyOf(targets), pathAndQuery, perSecond, atMost);
    }

    /** A load running in the background. */
    public static final class Running {
        private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread thread = new Thread(r, "open-loop");
            thread.setDaemon(true);
            return thread;
        });
        private final List<CompletableFuture<Outcome>> pending = new ArrayList<>();
        private final Thread sender;
        private volatile boolean stopped;

        private Running(List<String> targets, String pathAndQuery, double perSecond, Duration atMost) {
            int count = (int) Math.round(perSecond * atMost.toNanos() / 1e9);
            long interval = Math.round(1e9 / perSecond);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).executor(executor).build();
            sender = new Thread(() -> {
                long start = System.nanoTime() + 50_000_000;
                for (int i = 0; i < count && !stopped; i++) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    String target = targets.get(i % targets.size());
                    CompletableFuture<Outcome> outcome = send(client, target, pathAndQuery, due);
                    synchronized (pending) {
                        pending.add(outcome);
                    }
                }
            }, "open-loop-sender");
            sender.setDaemon(true);
            sender.start();
        }

        /** Sends no more requests, and returns once every answer to those sent is in. */
        public List<Outcome> stop() {
            stopped = true;
            return awaitEnd();
        }

        /** Returns once every request is sent and answered. */
        List<Outcome> awaitEnd() {
            try {
                sender.join();
                List<Outcome> outcomes = new ArrayList<>();
                synchronized (pending) {
                    for (CompletableFuture<Outcome> outcome : pending) {
                        outcomes.add(outcome.join());
                    }
                }
                return outcomes;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for the load to end", e);
            } finally {
                executor.shutdownNow();
                try {
                    executor.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Every {@code Via} entry of an answer, in order and comma-separated, or null when it has none. */
    private static String via(List<String> values) {
        return values.isEmpty() ? null : String.join(", ", values);
    }

    private static CompletableFuture<Outcome> send(HttpClient client, String target, String pathAndQuery, long due) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(target + pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .handle((response, failure) -> {
                    long latency = System.nanoTime() - due;
                    if (failure != null) {
                        return new Outcome(target, due, latency, 0, null, null, failure.toString());
                    }
                    return new Outcome(target, due, latency, response.statusCode(),
                            response.headers().firstValue("X-Served-By").orElse(null),
                            via(response.headers().allValues("Via")), null);
                });
    }
}
