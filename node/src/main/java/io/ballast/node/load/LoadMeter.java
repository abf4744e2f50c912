package io.ballast.node.load;

import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * How busy this node is: requests in flight against its capacity, how long they take, and what it has done.
 *
 * <p>Thread-safe and lock-free: every request touches it twice, at start and at completion.
 */
public final class LoadMeter {

    /** Weight of the newest sample in the latency average. */
    private static final double EWMA_ALPHA = 0.2;

    private final int capacity;
    private final int weight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder served = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder failedOver = new LongAdder();
    private final AtomicLong latencyMicrosEwma = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final com.sun.management.OperatingSystemMXBean os = operatingSystem();

    public LoadMeter(int capacity, int weight) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
        this.weight = weight;
    }

    /** A request starts being served here (it may still wait for a slot). */
    public void started() {
        inFlight.incrementAndGet();
    }

    /** A request that {@link #started()} has been answered after {@code nanos}. */
    public void finished(long nanos) {
        inFlight.decrementAndGet();
        served.increment();
        long micros = nanos / 1_000;
        latencyMicrosEwma.updateAndGet(old -> old == 0 ? micros : (long) (old + EWMA_ALPHA * (micros - old)));
    }

    public void forwarded() {
        forwarded.increment();
    }

    public void failedOver() {
        failedOver.increment();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public int capacity() {
        return capacity;
    }

    public double load() {
        return (double) inFlight.get() / capacity;
    }

    public long served() {
        return served.sum();
    }

    public long forwardedCount() {
        return forwarded.sum();
    }

    public long failedOverCount() {
        return failedOver.sum();
    }

    public double latencyMs() {
        return latencyMicrosEwma.get() / 1_000.0;
    }

    /** A new report of this node's load, with the next sequence number. */
    public LoadReport report(String name, String url, MemberState state) {
        return new LoadReport(name, url, state, inFlight.get(), capacity, served.sum(), forwarded.sum(),
                failedOver.sum(), latencyMs(), cpu(), weight, sequence.incrementAndGet());
    }

    private double cpu() {
        if (os == null) {
            return -1;
        }
        double load = os.getProcessCpuLoad();
        return load < 0 ? -1 : load;
    }

    private static com.sun.management.OperatingSystemMXBean operatingSystem() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean bean
                ? bean : null;
    }
}
