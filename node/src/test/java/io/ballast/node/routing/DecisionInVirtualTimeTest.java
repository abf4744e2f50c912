package io.ballast.node.routing;

import io.ballast.node.routing.VirtualCluster.Arrivals;
import io.ballast.node.routing.VirtualCluster.Outcome;
import io.ballast.node.routing.VirtualCluster.Setup;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adaptive decision on three nodes of capacity 8 with 100 ms requests, in virtual time ({@link VirtualCluster}):
 * the bench's scenarios, at its rates, each {@value #REQUESTS} requests after a warm-up. For scale, on the same model
 * DNS alone refuses about a third of the requests under the 80/10/10 skew, a central least-connections balancer
 * gives the slow node 16% and a p99 of 300 ms, and the rule before service times forwarded 25% under even load.
 */
class DecisionInVirtualTimeTest {

    private static final int REQUESTS = 40_000;
    /** 70% of the three nodes' 240 requests per second. */
    private static final double SEVENTY_PERCENT = 168;
    private static final double[] EVEN = {1 / 3.0, 1 / 3.0, 1 / 3.0};
    private static final double[] SKEW = {0.8, 0.1, 0.1};
    private static final double[] FAST = {100, 100, 100};
    private static final double[] ONE_SLOW = {100, 100, 300};

    static Outcome run(double[] split, double[] serviceMs, double rateRps, Arrivals arrivals) {
        return new VirtualCluster(new Setup(split, serviceMs, rateRps, arrivals, 7)).run(REQUESTS);
    }

    @Test
    void evenLoadWithTheBenchsArrivalsForwardsAtMostOneRequestInTen() {
        Outcome outcome = run(EVEN, FAST, SEVENTY_PERCENT, Arrivals.PACED);
        assertTrue(outcome.forwarded() <= 0.10, outcome.toString());
        assertEquals(0, outcome.refused(), outcome.toString());
        assertTrue(outcome.p99Ms() <= 110, outcome.toString());
    }

    @Test
    void evenLoadWithPoissonBurstsForwardsOnlyWhatWouldWaitAndRefusesNothing() {
        // bursts make about one request in seven find its node full while a peer has a slot
        Outcome outcome = run(EVEN, FAST, SEVENTY_PERCENT, Arrivals.POISSON);
        assertTrue(outcome.forwarded() <= 0.20, outcome.toString());
        assertEquals(0, outcome.refused(), outcome.toString());
        assertTrue(outcome.p99Ms() <= 140, outcome.toString());
    }

    @Test
    void aSkewedNodeHandsItsSurplusToItsPeersAndNothingIsRefused() {
        for (Arrivals arrivals : Arrivals.values()) {
            Outcome outcome = run(SKEW, FAST, SEVENTY_PERCENT, arrivals);
            assertEquals(0, outcome.refused(), arrivals + ": " + outcome);
            // DNS alone: node1 gets 80% of the requests for a third of the slots
            assertTrue(outcome.shares()[0] <= 0.42, arrivals + ": " + outcome);
            assertTrue(outcome.shares()[1] >= 0.28 && outcome.shares()[2] >= 0.28, arrivals + ": " + outcome);
            assertTrue(outcome.p99Ms() <= 150, arrivals + ": " + outcome);
        }
    }

    @Test
    void aSkewAtThirtyPercentIsSpreadOverTheIdlePeers() {
        Outcome outcome = run(SKEW, FAST, 72, Arrivals.POISSON);
        assertTrue(outcome.shares()[0] <= 0.5, outcome.toString());
        assertTrue(outcome.p99Ms() <= 110, outcome.toString());
        assertEquals(0, outcome.refused(), outcome.toString());
    }

    @Test
    void aNodeThreeTimesSlowerGetsAlmostNothingAndTheTailStaysFarBelowItsServiceTime() {
        for (Arrivals arrivals : Arrivals.values()) {
            Outcome outcome = run(EVEN, ONE_SLOW, 120, arrivals);
            assertTrue(outcome.shares()[2] <= 0.05, arrivals + ": " + outcome);
            assertEquals(0, outcome.refused(), arrivals + ": " + outcome);
            assertTrue(outcome.p99Ms() <= 200, arrivals + ": " + outcome);
        }
    }

    @Test
    void oneNodeSentOneAndAHalfTimesWhatItServesLetsNoRequestOverflowItsQueue() {
        Outcome outcome = run(new double[] {1, 0, 0}, FAST, 120, Arrivals.POISSON);
        assertEquals(0, outcome.refused(), outcome.toString());
        assertTrue(outcome.shares()[0] <= 0.5, outcome.toString());
    }
}
