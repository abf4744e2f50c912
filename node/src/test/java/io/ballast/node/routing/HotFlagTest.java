package io.ballast.node.routing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotFlagTest {

    @Test
    void aNodeBecomesHotAtItsEntryLevelAndCoolsOnlyBelowTheLowerLeavingLevel() {
        HotFlag flag = new HotFlag();
        assertFalse(flag.update(0.84, 0.84));
        assertTrue(flag.update(0.85, 0.85));
        assertTrue(flag.update(0.81, 0.81), "between the two levels it stays hot");
        assertFalse(flag.update(0.79, 0.79));
        assertFalse(flag.update(0.81, 0.81), "between the two levels it stays cold");
    }

    @Test
    void aNodeFarAboveItsPeersIsHotAtAnyLevel() {
        HotFlag flag = new HotFlag();
        // 80/10/10 at 30% of the cluster: 0.72 here, 0.09 at the peers
        assertTrue(flag.update(0.72, 0.09));
        assertTrue(flag.update(0.6, 0.45), "0.15 above its peers: still hot");
        assertFalse(flag.update(0.6, 0.55), "0.05 above its peers and below 0.8: cold");
        assertFalse(flag.update(0.6, 0.41), "0.19 above: not enough to enter again");
    }

    @Test
    void withoutPeersTheLastKnownMeanStands() {
        HotFlag flag = new HotFlag();
        assertTrue(flag.update(0.5, 0.1));
        assertTrue(flag.update(0.5, Double.NaN));
        assertFalse(flag.update(0.15, Double.NaN));
    }
}
