package io.ballast.node.cluster;

import io.ballast.protocol.LoadReport;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest load report of every peer, with when this node received it (by this node's monotonic clock, so that
 * report ages never depend on clocks agreeing across hosts).
 */
public final class LoadBoard {

    /** A report and the {@link System#nanoTime()} at which it arrived here. */
    public record Entry(LoadReport report, long receivedNanos) {
        public long ageMs(long nowNanos) {
            return Math.max(0, (nowNanos - receivedNanos) / 1_000_000);
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** Keeps {@code report} as the node's latest, received now. */
    public void update(LoadReport report) {
        entries.put(report.name(), new Entry(report, System.nanoTime()));
    }

    public void remove(String name) {
        entries.remove(name);
    }

    public Optional<Entry> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    public Map<String, Entry> snapshot() {
        return Map.copyOf(entries);
    }
}
