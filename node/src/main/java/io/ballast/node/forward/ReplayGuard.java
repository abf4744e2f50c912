package io.ballast.node.forward;

import io.ballast.protocol.HopToken;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Remembers the nonces of the hop tokens this node has accepted for as long as those tokens are valid, so that each
 * token serves one request only.
 */
public final class ReplayGuard {

    private static final long PURGE_EVERY_MS = 1_000;

    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicLong nextPurgeMs = new AtomicLong();

    /**
     * @return true the first time {@code nonce} (of a token made at {@code timestampMs}) is offered, false after
     */
    public boolean firstUse(String nonce, long timestampMs, long nowMs) {
        purgeExpired(nowMs);
        return seen.putIfAbsent(nonce, timestampMs + HopToken.VALIDITY_MS) == null;
    }

    private void purgeExpired(long nowMs) {
        long due = nextPurgeMs.get();
        if (nowMs >= due && nextPurgeMs.compareAndSet(due, nowMs + PURGE_EVERY_MS)) {
            seen.values().removeIf(expiresMs -> expiresMs < nowMs);
        }
    }
}
