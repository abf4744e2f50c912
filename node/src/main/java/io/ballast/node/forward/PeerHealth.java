package io.ballast.node.forward;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Peers that failed a forward, kept out of the running for a back-off that doubles with each failure in a row
 * ({@value #FIRST_BACKOFF_MS} ms, then twice that, up to {@value #MAX_BACKOFF_MS} ms). A forward that succeeds clears
 * the record.
 */
public final class PeerHealth {

    static final long FIRST_BACKOFF_MS = 1_000;
    static final long MAX_BACKOFF_MS = 30_000;

    private record Ejection(long untilNanos, int failures) {
    }

    private final Map<String, Ejection> ejections = new ConcurrentHashMap<>();

    public boolean isEjected(String peer, long nowNanos) {
        Ejection ejection = ejections.get(peer);
        return ejection != null && nowNanos - ejection.untilNanos < 0;
    }

    /** Ejects {@code peer} for its next back-off. */
    public void failed(String peer, long nowNanos) {
        ejections.compute(peer, (name, old) -> {
            int failures = old == null ? 1 : Math.min(old.failures + 1, 16);
            long backoffMs = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << (failures - 1));
            return new Ejection(nowNanos + backoffMs * 1_000_000, failures);
        });
    }

    public void succeeded(String peer) {
        if (!ejections.isEmpty()) {
            ejections.remove(peer);
        }
    }

    /** Forgets a peer that left the cluster. */
    public void forget(String peer) {
        ejections.remove(peer);
    }
}
