package io.ballast.bench.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A window second by second, by when each request was due (open loop) or sent (closed loop): how many succeeded,
 * how many failed, and the slowest success. Shows when something happened: errors at a kill, a stall, a recovery.
 */
final class Timeline {

    private final long startNanos;
    private final AtomicLongArray ok;
    private final AtomicLongArray errors;
    private final AtomicLongArray slowestMicros;

    Timeline(long startNanos, int seconds) {
        this.startNanos = startNanos;
        this.ok = new AtomicLongArray(seconds);
        this.errors = new AtomicLongArray(seconds);
        this.slowestMicros = new AtomicLongArray(seconds);
    }

    void succeeded(long dueNanos, long latencyNanos) {
        int second = second(dueNanos);
        if (second >= 0) {
            ok.incrementAndGet(second);
            long micros = TimeUnit.NANOSECONDS.toMicros(latencyNanos);
            slowestMicros.accumulateAndGet(second, micros, Math::max);
        }
    }

    void failed(long dueNanos) {
        int second = second(dueNanos);
        if (second >= 0) {
            errors.incrementAndGet(second);
        }
    }

    private int second(long dueNanos) {
        long second = TimeUnit.NANOSECONDS.toSeconds(dueNanos - startNanos);
        return second >= 0 && second < ok.length() ? (int) second : -1;
    }

    /** Second i: {@code ok[i]}, {@code errors[i]}, {@code slowestMicros[i]}. */
    Seconds snapshot() {
        int n = ok.length();
        long[] okCounts = new long[n];
        long[] errorCounts = new long[n];
        long[] slowest = new long[n];
        for (int i = 0; i < n; i++) {
            okCounts[i] = ok.get(i);
            errorCounts[i] = errors.get(i);
            slowest[i] = slowestMicros.get(i);
        }
        return new Seconds(okCounts, errorCounts, slowest);
    }
}
