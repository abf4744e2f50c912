package io.ballast.node.load;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DecayingRateTest {

    private static final long MS = 1_000_000;

    @Test
    void aSteadyRateReadsAsItselfOnceTheAverageHasFilled() {
        DecayingRate rate = new DecayingRate(3_000);
        long t = 0;
        for (int i = 0; i < 3_000; i++) {
            t += 10 * MS;
            rate.add(t);
        }
        assertEquals(100.0, rate.perSecond(t), 2.0);
    }

    @Test
    void aRateDecaysByEAfterEachTimeConstantOfSilence() {
        DecayingRate rate = new DecayingRate(1_000);
        long t = 0;
        for (int i = 0; i < 10_000; i++) {
            t += MS;
            rate.add(t);
        }
        double before = rate.perSecond(t);
        assertEquals(before / Math.E, rate.perSecond(t + 1_000 * MS), 1e-6);
        assertEquals(0.0, new DecayingRate(1_000).perSecond(t));
    }
}
