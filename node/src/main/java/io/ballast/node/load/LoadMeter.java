package io.ballast.node.load;

import com.sun.management.OperatingSystemMXBean;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;

import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<String, LongAdder> forwardedTo = new ConcurrentHashMap<>();
    private final AtomicLong latencyMicrosEwma = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final long incarnation = new SecureRandom().nextLong();
    private final OperatingSystemMXBean os = operatingSystem();
    /** The process's CPU load as last sampled, or -1: sampling takes a lock and reads /proc, so never per request. */
    private volatile double cpu = -1;
    private final int sharpStep;
    private volatile int lastSignalled;
    private volatile Runnable sharpChange;

    public LoadMeter(int capacity, int weight) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
        this.weight = weight;
        this.sharpStep = Math.max(2, capacity / 5);
    }

    /**
     * Calls {@code listener} whenever the in-flight count has moved by a fifth of capacity (at least 2) since the last
     * call: the node then publishes a report before the next periodic one.
     */
    public void onSharpChange(Runnable listener) {
        this.sharpChange = listener;
    }

    /** A request starts being served here (it may still wait for a slot). */
    public void started() {
        checkSharpChange(inFlight.incrementAndGet());
    }

    /** A request that {@link #started()} has been answered after {@code nanos}. */
    public void finished(long nanos) {
        checkSharpChange(inFlight.decrementAndGet());
        served.increment();
        long micros = nanos / 1_000;
        latencyMicrosEwma.updateAndGet(old -> old == 0 ? micros : (long) (old + EWMA_ALPHA * (micros - old)));
    }

    private void checkSharpChange(int now) {
        int last = lastSignalled;
        if (Math.abs(now - last) >= sharpStep) {
            lastSignalled = now;
            Runnable listener = sharpChange;
            if (listener != null) {
                listener.run();
            }
        }
    }

    public void forwarded() {
        forwarded.increment();
    }

    public void failedOver() {
        failedOver.increment();
    }

    /** A forward to {@code peer} has ended (answered or not): counted per peer for the reports. */
    public void forwardedTo(String peer) {
        forwardedTo.computeIfAbsent(peer, name -> new LongAdder()).increment();
    }

    /** Drops the per-peer count of a peer that left the view, so that the reports name only members. */
    public void forgetPeer(String peer) {
        forwardedTo.remove(peer);
    }

    /** The forwards to each peer that have ended, by peer name, in name order. */
    public Map<String, Long> forwardedToCounts() {
        Map<String, Long> counts = new TreeMap<>();
        forwardedTo.forEach((peer, count) -> counts.put(peer, count.sum()));
        return counts;
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
    public LoadReport report(String name, String url, MemberState state, boolean ready, long sessions) {
        return report(name, url, state, ready, sessions, 0);
    }

    /**
     * A new report that leaves out {@code answering} requests in flight: those whose answers carry the report, which
     * will be done by the time the peer reads it.
     *
     * @param sessions the sessions whose data this node holds as primary owner
     */
    public LoadReport report(String name, String url, MemberState state, boolean ready, long sessions,
                             int answering) {
        return new LoadReport(name, url, state, Math.max(0, inFlight.get() - answering), capacity, served.sum(),
                forwarded.sum(), failedOver.sum(), latencyMs(), cpu, weight, incarnation, sequence.incrementAndGet(),
                ready, sessions, forwardedToCounts());
    }

    /** Samples the process's CPU load for the reports that follow; called by the reporter, once a report interval. */
    public void sampleCpu() {
        if (os != null) {
            double load = os.getProcessCpuLoad();
            cpu = load < 0 ? -1 : load;
        }
    }

    private static OperatingSystemMXBean operatingSystem() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean bean ? bean : null;
    }
}
