package io.ballast.node.forward;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerHealthTest {

    private static final long MS = 1_000_000;
    private static final long T0 = 123_456_789_000L;

    private final PeerHealth health = new PeerHealth();

    /** How long, in ms, {@code peer} stays ejected after {@code from}: the first instant it is back. */
    private long ejectedForMs(String peer, long from) {
        long ms = 0;
        while (health.isEjected(peer, from + ms * MS)) {
            ms++;
        }
        return ms;
    }

    @Test
    void peerWithNoFailureIsNotEjected() {
        assertFalse(health.isEjected("b", T0));
    }

    @Test
    void failedPeerIsEjectedForTheFirstBackOffOnly() {
        health.failed("b", T0);
        assertEquals(PeerHealth.FIRST_BACKOFF_MS, ejectedForMs("b", T0));
        assertFalse(health.isEjected("c", T0), "other peers are not touched");
    }

    @Test
    void backOffDoublesWithEachFailureInARowUpToTheMaximum() {
        List<Long> backOffs = new ArrayList<>();
        long now = T0;
        for (int i = 0; i < 8; i++) {
            health.failed("b", now);
            long ms = ejectedForMs("b", now);
            backOffs.add(ms);
            now += ms * MS;
        }
        assertEquals(List.of(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L), backOffs);
    }

    @Test
    void successClearsTheEjectionAndTheCount() {
        health.failed("b", T0);
        health.failed("b", T0 + 1_000 * MS);
        assertTrue(health.isEjected("b", T0 + 1_500 * MS));
        health.succeeded("b");
        assertFalse(health.isEjected("b", T0 + 1_500 * MS));
        health.failed("b", T0 + 2_000 * MS);
        assertEquals(PeerHealth.FIRST_BACKOFF_MS, ejectedForMs("b", T0 + 2_000 * MS));
    }

    @Test
    void forgottenPeerIsNoLongerEjected() {
        health.failed("b", T0);
        health.forget("b");
        assertFalse(health.isEjected("b", T0));
    }

    @Test
    void backOffHoldsAcrossNanoTimeWrapAround() {
        long nearEnd = Long.MAX_VALUE - 100 * MS;
        health.failed("b", nearEnd);
        assertTrue(health.isEjected("b", nearEnd + 500 * MS), "half a second later, past the wrap");
        assertEquals(PeerHealth.FIRST_BACKOFF_MS, ejectedForMs("b", nearEnd));
    }
}
