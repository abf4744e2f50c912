package io.ballast.bench.load;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load from a fixed number of clients that each send their next request as soon as the last one is answered (a
 * closed loop): the server's maximum throughput at that concurrency. Latency counts from the actual send, as a
 * closed loop has no schedule to be late against. A warm-up runs first, straight into the measured window.
 */
public final class ClosedLoopLoad {

    private final LoadClient client;

    public ClosedLoopLoad(LoadClient client) {
        this.client = client;
    }

    /** Runs the warm-up and the measured window with {@code concurrency} clients, all sending to {@code target}. */
    public Measurement run(Target target, String pathAndQuery, int concurrency, Duration warmup, Duration measure,
                           List<TimedAction> actions) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency " + concurrency + " (expected: >= 1)");
        }
        HttpRequest request = client.request(target, pathAndQuery);
        Tally warm = new Tally();
        Tally measured = new Tally();
        AtomicLong outstanding = new AtomicLong();
        long begin = System.nanoTime();
        long measureStart = begin + warmup.toNanos();
        long end = measureStart + measure.toNanos();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                OpenLoopLoad.daemon("bench-actions"));
        try {
            for (TimedAction action : actions) {
                scheduler.schedule(action.action(), measureStart + action.at().toNanos() - System.nanoTime(),
                        TimeUnit.NANOSECONDS);
            }
            for (int i = 0; i < concurrency; i++) {
                new Loop(request, target, warm, measured, measureStart, end, outstanding).next();
            }
            OpenLoopLoad.awaitNanoTime(end);
            OpenLoopLoad.awaitZero(outstanding, client.timeout().plusSeconds(2));
            scheduler.shutdown();
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the load", e);
        } finally {
            scheduler.shutdownNow();
        }
        return measured.measurement(measure.toNanos() / 1e9);
    }

    /** One client: sends, and on the answer sends again, until the window ends. */
    private final class Loop {

        private final HttpRequest request;
        private final Target target;
        private final Tally warm;
        private final Tally measured;
        private final long measureStart;
        private final long end;
        private final AtomicLong outstanding;

        Loop(HttpRequest request, Target target, Tally warm, Tally measured, long measureStart, long end,
             AtomicLong outstanding) {
            this.request = request;
            this.target = target;
            this.warm = warm;
            this.measured = measured;
            this.measureStart = measureStart;
            this.end = end;
            this.outstanding = outstanding;
        }

        void next() {
            long start = System.nanoTime();
            if (start >= end) {
                return;
            }
            Tally tally = start < measureStart ? warm : measured;
            tally.sent(target, 0);
            outstanding.incrementAndGet();
            client.send(request, target, start, tally).whenComplete((ignored, error) -> {
                outstanding.decrementAndGet();
                next();
            });
        }
    }
}
