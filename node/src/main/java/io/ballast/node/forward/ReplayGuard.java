package io.ballast.node.forward;

import io.ballast.protocol.HopNonce;
import io.ballast.protocol.HopToken;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Lets each hop token serve one request only. A sender numbers its tokens ({@link HopNonce}: its epoch and a counter),
 * so this node keeps, per sender epoch, the highest counter it has accepted and which of the {@value #WINDOW} below it
 * it has seen: a counter seen before, or too far below the highest to tell, is refused. Forwards travel over several
 * connections at once and arrive a little out of order; the window allows for that.
 *
 * <p>Nothing is swept on the request path: a sender epoch's window is dropped once it has been idle for longer than a
 * token of it can stay valid, and only when a new epoch arrives (a sender started), which is rare.
 */
public final class ReplayGuard {

    /** How far below the highest counter a token is still told apart; beyond, it is refused. */
    static final int WINDOW = 4_096;

    /** A token is valid up to {@link HopToken#VALIDITY_MS} either side of its time: idle windows outlive that. */
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(3 * HopToken.VALIDITY_MS);

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * @param sender the node that signed the token (it is authentic: checked before this)
     * @return true the first time the token with {@code nonce} is offered, false after, and false for a nonce that
     *         is not one of {@link HopNonce}'s
     */
    public boolean firstUse(String sender, String nonce, long nowNanos) {
        HopNonce parsed = HopNonce.parse(nonce).orElse(null);
        if (parsed == null) {
            return false;
        }
        String key = sender + '\n' + parsed.epoch();
        Window window = windows.get(key);
        if (window == null) {
            forgetIdle(nowNanos);
            window = windows.computeIfAbsent(key, k -> new Window());
        }
        return window.firstUse(parsed.counter(), nowNanos);
    }

    /** How many sender epochs are remembered now. */
    int remembered() {
        return windows.size();
    }

    private void forgetIdle(long nowNanos) {
        windows.values().removeIf(window -> window.idleSince(nowNanos) > IDLE_NANOS);
    }

    /** One sender epoch's counters: the highest accepted, and a ring of bits for the {@link #WINDOW} below it. */
    private static final class Window {
        private final long[] seen = new long[WINDOW / 64];
        private long highest;
        private volatile long lastUseNanos;

        synchronized boolean firstUse(long counter, long nowNanos) {
            lastUseNanos = nowNanos;
            if (counter > highest) {
                for (long c = Math.max(highest + 1, counter - WINDOW + 1); c < counter; c++) {
                    clear(c); // the slots the window moves over are of counters not seen yet
                }
                highest = counter;
                set(counter);
                return true;
            }
            if (counter <= highest - WINDOW || isSet(counter)) {
                return false;
            }
            set(counter);
            return true;
        }

        long idleSince(long nowNanos) {
            return nowNanos - lastUseNanos;
        }

        private void set(long counter) {
            seen[slot(counter)] |= bit(counter);
        }

        private void clear(long counter) {
            seen[slot(counter)] &= ~bit(counter);
        }

        private boolean isSet(long counter) {
            return (seen[slot(counter)] & bit(counter)) != 0;
        }

        private static int slot(long counter) {
            return (int) ((counter % WINDOW) >>> 6);
        }

        private static long bit(long counter) {
            return 1L << (counter & 63);
        }
    }
}
