package io.ballast.bench.load;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Load from a fixed number of clients that each send their next request as soon as the last one is answered (a
 * closed loop): a server's maximum throughput at that concurrency. Each client is a thread with its own
 * {@link KeepAliveConnection}, so that the client's CPU cost stays small next to the server's on a shared machine.
 * Latency counts from the actual send, as a closed loop has no schedule to be late against. The warm-up runs
 * straight into the measured window.
 */
public final class ClosedLoopLoad {

    private final Duration timeout;
    private final TlsClient tls;

    /** @param timeout a request unanswered after this long is an error ({@code timeout}) */
    public ClosedLoopLoad(Duration timeout) {
        this(timeout, null);
    }

    /**
     * @param timeout a request unanswered after this long is an error ({@code timeout})
     * @param tls     how to speak TLS to {@code https} targets (a connection's handshake counts in its first request)
     */
    public ClosedLoopLoad(Duration timeout, TlsClient tls) {
        this.timeout = timeout;
        this.tls = tls;
    }

    /** Runs the warm-up and the measured window with {@code concurrency} clients, all sending to {@code target}. */
    public Measurement run(Target target, String pathAndQuery, int concurrency, Duration warmup, Duration measure,
                           List<TimedAction> actions) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency " + concurrency + " (expected: >= 1)");
        }
        long measureStart = System.nanoTime() + warmup.toNanos();
        Tally warm = new Tally(measureStart - warmup.toNanos(), warmup);
        Tally measured = new Tally(measureStart, measure);
        long end = measureStart + measure.toNanos();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                OpenLoopLoad.daemon("bench-actions"));
        List<Thread> clients = new ArrayList<>();
        try {
            for (TimedAction action : actions) {
                scheduler.schedule(action.action(), measureStart + action.at().toNanos() - System.nanoTime(),
                        TimeUnit.NANOSECONDS);
            }
            for (int i = 0; i < concurrency; i++) {
                Thread client = new Thread(() -> loop(target, pathAndQuery, warm, measured, measureStart, end),
                        "bench-closed-loop-" + i);
                client.setDaemon(true);
                client.start();
                clients.add(client);
            }
            for (Thread client : clients) {
                client.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())
                        + timeout.toMillis() + 2_000));
            }
            scheduler.shutdown();
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the load", e);
        } finally {
            scheduler.shutdownNow();
            clients.forEach(Thread::interrupt);
        }
        return measured.measurement(measure.toNanos() / 1e9, warm);
    }

    /** One client: sends, and on the answer sends again, until the window ends; reconnects after a failure. */
    private void loop(Target target, String pathAndQuery, Tally warm, Tally measured, long measureStart, long end) {
        KeepAliveConnection connection = null;
        try {
            for (long start = System.nanoTime(); start < end; start = System.nanoTime()) {
                Tally tally = start < measureStart ? warm : measured;
                tally.sent(target, 0);
                try {
                    if (connection == null) {
                        connection = KeepAliveConnection.open(target, pathAndQuery, timeout, tls);
                    }
                    KeepAliveConnection.Response response = connection.exchange();
                    long latency = System.nanoTime() - start;
                    if (response.status() / 100 == 2) {
                        tally.succeeded(target, response.servedBy(), response.forwarded(), start, latency);
                    } else {
                        tally.failed(target, ErrorLabel.ofStatus(response.status()), start);
                    }
                    if (!connection.reusable()) {
                        closeQuietly(connection);
                        connection = null;
                    }
                } catch (SocketTimeoutException e) {
                    tally.failed(target, "timeout", start);
                    closeQuietly(connection);
                    connection = null;
                } catch (IOException | RuntimeException e) {
                    tally.failed(target, ErrorLabel.of(e), start);
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } finally {
            closeQuietly(connection);
        }
    }

    private static void closeQuietly(KeepAliveConnection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException e) {
                // closing a connection we are done with
            }
        }
    }
}
