package io.ballast.node.forward;

import io.ballast.protocol.HopToken;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayGuardTest {

    private static final long MADE = 1_700_000_000_000L;
    private static final long VALID = HopToken.VALIDITY_MS;

    private final ReplayGuard guard = new ReplayGuard();

    @Test
    void nonceIsAcceptedOnceAndRefusedAfter() {
        assertTrue(guard.firstUse("n-1", MADE, MADE));
        assertFalse(guard.firstUse("n-1", MADE, MADE));
        assertFalse(guard.firstUse("n-1", MADE, MADE + 1));
        assertTrue(guard.firstUse("n-2", MADE, MADE + 1), "another nonce is another token");
    }

    @Test
    void nonceIsRefusedForAsLongAsItsTokenIsValid() {
        assertTrue(guard.firstUse("n-1", MADE, MADE - VALID));
        for (long now = MADE - VALID; now <= MADE + VALID; now += 250) {
            assertFalse(guard.firstUse("n-1", MADE, now), "replayed at " + (now - MADE) + " ms");
            assertTrue(guard.firstUse("filler-" + now, now, now));
        }
    }

    @Test
    void nonceIsForgottenOnceItsTokenHasExpired() {
        assertTrue(guard.firstUse("n-1", MADE, MADE));
        // expired tokens are swept at most once a second
        assertTrue(guard.firstUse("n-1", MADE + 2 * VALID, MADE + VALID + 1_001));
    }
}
