package io.ballast.node.cluster;

import io.ballast.protocol.LoadHeader;
import io.ballast.protocol.LoadReport;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The latest load report of every peer, with when this node received it (by this node's monotonic clock, so that
 * report ages never depend on clocks agreeing across hosts), and how many of the requests this node has forwarded to
 * the peer since that report are still outstanding: a stale report plus what we have added since is what keeps
 * senders from herding.
 */
public final class LoadBoard {

    /** A report, the {@link System#nanoTime()} at which it arrived here, and the forwards outstanding since. */
    public static final class Entry {
        private final LoadReport report;
        private final long receivedNanos;
        private final AtomicInteger sentSince = new AtomicInteger();

        Entry(LoadReport report, long receivedNanos) {
            this.report = report;
            this.receivedNanos = receivedNanos;
        }

        public LoadReport report() {
            return report;
        }

        public long ageMs(long nowNanos) {
            return Math.max(0, (nowNanos - receivedNanos) / 1_000_000);
        }

        /**
         * Requests in flight at the peer as best this node knows: the report's count plus the forwards this node has
         * sent it since and not yet seen answered.
         */
        public int estimatedInFlight() {
            return report.inFlight() + Math.max(0, sentSince.get());
        }

        /** This node has forwarded a request to the peer. */
        public void sent() {
            sentSince.incrementAndGet();
        }

        /** A forward {@link #sent()} against this entry has ended, answered or failed. */
        public void finished() {
            sentSince.decrementAndGet();
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** Keeps {@code report} as the node's latest, received now, unless a newer one is already here. */
    public void update(LoadReport report) {
        Entry fresh = new Entry(report, System.nanoTime());
        entries.merge(report.name(), fresh, (old, neu) -> neu.report.isNewerThan(old.report) ? neu : old);
    }

    /**
     * Lays a peer's load, read from its answer to a forward, over the report held for it, unless a newer one is
     * already here; nothing when no report of that incarnation is held (the header alone is not a report).
     */
    public void update(LoadHeader header) {
        entries.computeIfPresent(header.name(), (name, old) -> header.applyTo(old.report)
                .filter(report -> report.isNewerThan(old.report))
                .map(report -> new Entry(report, System.nanoTime()))
                .orElse(old));
    }

    public void remove(String name) {
        entries.remove(name);
    }

    public Optional<Entry> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }
}
