package io.ballast.bench.load;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load at a fixed arrival rate, whatever the servers do (an open loop): request {@code i} is due at
 * {@code start + i / rate} and sent then, even if earlier ones have not been answered, and its latency counts from
 * when it was due. A server that stalls cannot slow the arrivals down and hide its queue, and a generator that falls
 * behind (a GC pause, a busy CPU) sends the late requests at once and is charged for the delay.
 *
 * <p>A warm-up at the same rate and spread runs first, straight into the measured window; requests due in the
 * warm-up are answered but not counted.
 */
public final class OpenLoopLoad {

    private static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final LoadClient client;

    public OpenLoopLoad(LoadClient client) {
        this.client = client;
    }

    /**
     * Runs the warm-up and the measured window, waits for the last answers (at most the request timeout), and
     * returns what the measured window saw.
     *
     * @param actions things to do during the measured window, at their time
     */
    public Measurement run(DnsSpread spread, String pathAndQuery, double ratePerSecond, Duration warmup,
                           Duration measure, List<TimedAction> actions) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate " + ratePerSecond + " (expected: > 0)");
        }
        Map<Target, HttpRequest> requests = new HashMap<>();
        spread.targets().forEach(target -> requests.put(target, client.request(target, pathAndQuery)));
        AtomicLong outstanding = new AtomicLong();
        double intervalNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;

        long begin = System.nanoTime() + START_DELAY_NANOS;
        long measureStart = begin + warmup.toNanos();
        Tally warm = new Tally(measureStart - warmup.toNanos(), warmup);
        Tally measured = new Tally(measureStart, measure);
        long end = measureStart + measure.toNanos();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("bench-actions"));
        try {
            for (TimedAction action : actions) {
                scheduler.schedule(action.action(), measureStart + action.at().toNanos() - System.nanoTime(),
                        TimeUnit.NANOSECONDS);
            }
            for (long i = 0; ; i++) {
                long due = begin + Math.round(i * intervalNanos);
                if (due >= end) {
                    break;
                }
                awaitNanoTime(due);
                Target target = spread.next();
                Tally tally = due < measureStart ? warm : measured;
                tally.sent(target, System.nanoTime() - due);
                outstanding.incrementAndGet();
                client.send(requests.get(target), target, due, tally)
                        .whenComplete((ignored, error) -> outstanding.decrementAndGet());
            }
            awaitZero(outstanding, client.timeout().plusSeconds(2));
            scheduler.shutdown();
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during the load", e);
        } finally {
            scheduler.shutdownNow();
        }
        return measured.measurement(measure.toNanos() / 1e9, warm);
    }

    static void awaitNanoTime(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Waits until every sent request has its outcome recorded; after {@code limit}, gives up on the stragglers. */
    static void awaitZero(AtomicLong outstanding, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
