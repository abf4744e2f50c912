package io.ballast.node.load;

import com.sun.management.OperatingSystemMXBean;
import io.ballast.node.routing.Candidate;
import io.ballast.node.routing.HotFlag;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;

import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * How busy this node is: requests in flight against its capacity, how long they take and how long they hold a slot,
 * what its own clients ask of it, and what it has done.
 *
 * <p>Thread-safe; every request touches it at start, when its answer begins, and at completion.
 */
public final class LoadMeter {

    /** Weight of the newest sample in the latency and service-time averages. */
    private static final double EWMA_ALPHA = 0.2;

    /**
     * Time constant of the clients' demand, in ms: long enough that the hot flag follows the load rather than its
     * bursts (a decision made on the smoothed demand does not oscillate; one made per request on it would).
     */
    static final double DEMAND_TAU_MS = 3_000;

    /** A node that has not served anything yet counts as idle this long: an hour. */
    private static final long NEVER_SERVED_NANOS = 3_600_000_000_000L;

    private final int capacity;
    private final int weight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder served = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder failedOver = new LongAdder();
    private final Map<String, LongAdder> forwardedTo = new ConcurrentHashMap<>();
    private final AtomicLong latencyMicrosEwma = new AtomicLong();
    private final AtomicLong serviceMicrosEwma = new AtomicLong();
    private final AtomicInteger answered = new AtomicInteger();
    private final DecayingRate clientRequests = new DecayingRate(DEMAND_TAU_MS);
    private final HotFlag hot = new HotFlag();
    private final LongSupplier clock;
    private volatile long lastStartedNanos;
    private final AtomicLong sequence = new AtomicLong();
    private final long incarnation = new SecureRandom().nextLong();
    private final OperatingSystemMXBean os = operatingSystem();
    /** The process's CPU load as last sampled, or -1: sampling takes a lock and reads /proc, so never per request. */
    private volatile double cpu = -1;
    private final int sharpStep;
    private volatile int lastSignalled;
    private volatile Runnable sharpChange;

    public LoadMeter(int capacity, int weight) {
        this(capacity, weight, System::nanoTime);
    }

    /** @param clock the time in nanoseconds, as {@link System#nanoTime()} gives it (a test's virtual time) */
    public LoadMeter(int capacity, int weight, LongSupplier clock) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
        this.clock = clock;
        this.lastStartedNanos = clock.getAsLong() - NEVER_SERVED_NANOS;
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

    /** A client's request reached this node (not a peer's forward): it counts in this node's demand. */
    public void clientRequest() {
        clientRequests.add(clock.getAsLong());
    }

    /** A request starts being served here (it may still wait for a slot). */
    public void started() {
        lastStartedNanos = clock.getAsLong();
        checkSharpChange(inFlight.incrementAndGet());
    }

    /** The answer to a request that {@link #started()} has begun: reports leave it out from now on. */
    public void answering() {
        answered.incrementAndGet();
    }

    /**
     * A request that {@link #started()} has been answered.
     *
     * @param nanos        from its start to its completion
     * @param serviceNanos how long it held a slot, its wait in the queue left out; negative when it never got one
     * @param wasAnswering whether {@link #answering()} was called for it
     */
    public void finished(long nanos, long serviceNanos, boolean wasAnswering) {
        if (wasAnswering) {
            answered.decrementAndGet();
        }
        checkSharpChange(inFlight.decrementAndGet());
        served.increment();
        average(latencyMicrosEwma, nanos / 1_000);
        if (serviceNanos >= 0) {
            average(serviceMicrosEwma, Math.max(1, serviceNanos / 1_000));
        }
    }

    private static void average(AtomicLong ewma, long micros) {
        ewma.updateAndGet(old -> old == 0 ? micros : (long) (old + EWMA_ALPHA * (micros - old)));
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

    /** How long a request holds a slot here, its queue wait left out (an average), in ms; 0 before the first. */
    public double serviceMs() {
        return serviceMicrosEwma.get() / 1_000.0;
    }

    /** Requests per second from this node's own clients, averaged over a few seconds. */
    public double demand() {
        return clientRequests.perSecond(clock.getAsLong());
    }

    /** The clients' offered load per slot: {@link #demand()} times {@link #serviceMs()} over the capacity. */
    public double demandPerSlot() {
        return demand() * serviceMs() / 1000.0 / capacity;
    }

    /**
     * This node as a candidate for a request, with its hot flag brought up to date against {@code peers}' demand.
     *
     * @param peers the peers the request may go to
     */
    public Candidate candidate(String name, List<Candidate> peers) {
        double demand = demandPerSlot();
        double peersMean = peers.stream().mapToDouble(Candidate::demand).average().orElse(Double.NaN);
        boolean isHot = hot.update(demand, peersMean);
        long sinceStarted = Math.max(0, (clock.getAsLong() - lastStartedNanos) / 1_000_000);
        return new Candidate(name, inFlight.get(), capacity, weight, true, serviceMs(), demand, isHot, sinceStarted);
    }

    /** Whether this node is overloaded by its own clients, as its reports say. */
    public boolean hot() {
        return hot.isHot();
    }

    /** A new report of this node's load, with the next sequence number. */
    public LoadReport report(String name, String url, MemberState state, boolean ready, long sessions) {
        return report(name, url, state, ready, sessions, 0);
    }

    /**
     * A new report. Its in-flight count leaves out the requests whose answers have begun, which will be done by the
     * time a peer reads it (a report that counted them would make an idle node look busy until its next one), and at
     * least {@code answering}: the requests whose answers carry this report, seen begun or not.
     *
     * @param sessions the sessions whose data this node holds as primary owner
     */
    public LoadReport report(String name, String url, MemberState state, boolean ready, long sessions,
                             int answering) {
        int unanswered = Math.max(0, inFlight.get() - Math.max(answered.get(), answering));
        double demand = demand();
        double service = serviceMs();
        boolean isHot = hot.update(demand * service / 1000.0 / capacity, Double.NaN);
        return new LoadReport(name, url, state, unanswered, capacity, served.sum(),
                forwarded.sum(), failedOver.sum(), latencyMs(), cpu, weight, incarnation, sequence.incrementAndGet(),
                ready, sessions, forwardedToCounts(), service, demand, isHot);
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
