package io.ballast.node.load;

/**
 * A rate of events, averaged with exponentially decaying weights: each event counts 1 when it happens and e^(-t/τ)
 * after t. The rate is the decayed count over τ, so a steady rate r reads as r once the average has had a few τ to
 * fill. Times are {@link System#nanoTime()} values, passed in so that tests can run in virtual time.
 *
 * <p>Thread-safe.
 */
public final class DecayingRate {

    private final double tauNanos;
    private double count;
    private long lastNanos;
    private boolean started;

    /** @param tauMillis the time constant τ, in milliseconds */
    public DecayingRate(double tauMillis) {
        if (!(tauMillis > 0)) {
            throw new IllegalArgumentException("tauMillis: " + tauMillis + " (expected: > 0)");
        }
        this.tauNanos = tauMillis * 1e6;
    }

    /** An event at {@code nowNanos}. */
    public synchronized void add(long nowNanos) {
        count = decayed(nowNanos) + 1;
        lastNanos = nowNanos;
        started = true;
    }

    /** Events per second at {@code nowNanos}. */
    public synchronized double perSecond(long nowNanos) {
        return decayed(nowNanos) / tauNanos * 1e9;
    }

    private double decayed(long nowNanos) {
        if (!started) {
            return 0;
        }
        long elapsed = Math.max(0, nowNanos - lastNanos);
        return count * Math.exp(-elapsed / tauNanos);
    }
}
