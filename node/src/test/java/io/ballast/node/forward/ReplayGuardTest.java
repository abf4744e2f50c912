package io.ballast.node.forward;

import io.ballast.protocol.HopNonce;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayGuardTest {

    private static final String EPOCH = "AAAAAAAAAAA";
    private static final long NOW = 1_000_000_000_000L;

    private final ReplayGuard guard = new ReplayGuard();

    private static String nonce(long counter) {
        return new HopNonce(EPOCH, counter).toString();
    }

    @Test
    void nonceIsAcceptedOnceAndRefusedAfter() {
        assertTrue(guard.firstUse("a", nonce(1), NOW));
        assertFalse(guard.firstUse("a", nonce(1), NOW));
        assertFalse(guard.firstUse("a", nonce(1), NOW + 1));
        assertTrue(guard.firstUse("a", nonce(2), NOW + 1), "another counter is another token");
    }

    @Test
    void tokensArrivingOutOfOrderWithinTheWindowAreEachAcceptedOnce() {
        assertTrue(guard.firstUse("a", nonce(10), NOW));
        for (long c = 9; c >= 1; c--) {
            assertTrue(guard.firstUse("a", nonce(c), NOW), "late but new: " + c);
        }
        for (long c = 1; c <= 10; c++) {
            assertFalse(guard.firstUse("a", nonce(c), NOW), "replayed: " + c);
        }
    }

    @Test
    void aCounterTooFarBelowTheHighestIsRefused() {
        assertTrue(guard.firstUse("a", nonce(5), NOW));
        assertTrue(guard.firstUse("a", nonce(5 + ReplayGuard.WINDOW), NOW));
        assertFalse(guard.firstUse("a", nonce(5), NOW), "seen, and now at the window's edge");
        assertFalse(guard.firstUse("a", nonce(4), NOW), "never seen, but below the window: cannot tell");
        assertTrue(guard.firstUse("a", nonce(6), NOW), "the lowest counter the window still tells apart");
    }

    @Test
    void theWindowMovingOnForgetsOnlyWhatFellOutOfIt() {
        for (long c = 1; c <= 3 * ReplayGuard.WINDOW; c += 3) {
            assertTrue(guard.firstUse("a", nonce(c), NOW), "new: " + c);
            if (c > 3) {
                assertFalse(guard.firstUse("a", nonce(c - 3), NOW), "replayed: " + (c - 3));
                assertTrue(guard.firstUse("a", nonce(c - 1), NOW), "skipped, so new: " + (c - 1));
            }
        }
    }

    @Test
    void sendersAndTheirEpochsCountApart() {
        assertTrue(guard.firstUse("a", nonce(1), NOW));
        assertTrue(guard.firstUse("b", nonce(1), NOW), "another sender");
        assertTrue(guard.firstUse("a", new HopNonce("BBBBBBBBBBB", 1).toString(), NOW), "a restarted sender");
        assertFalse(guard.firstUse("a", nonce(1), NOW), "the old epoch is still remembered");
    }

    @Test
    void anEpochIdleLongerThanItsTokensCanBeValidIsForgottenWhenANewOneArrives() {
        assertTrue(guard.firstUse("a", nonce(1), NOW));
        assertTrue(guard.firstUse("b", nonce(1), NOW + ReplayGuard.IDLE_NANOS));
        assertEquals(2, guard.remembered(), "idle exactly as long as a token lives: kept");
        assertTrue(guard.firstUse("c", nonce(1), NOW + ReplayGuard.IDLE_NANOS + 1));
        assertEquals(2, guard.remembered(), "a's epoch is gone, b's and c's stay");
    }

    @Test
    void aNonceNotMadeByASenderIsRefused() {
        assertFalse(guard.firstUse("a", "b4f7c8d2-1d1e-4d4b-9e0b-2c1f6f1c0a11", NOW));
        assertFalse(guard.firstUse("a", "", NOW));
    }
}
