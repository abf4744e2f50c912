package io.ballast.node.demo;

import io.ballast.node.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoLoadTest {

    private static DemoLoad.Options parse(String... args) {
        return DemoLoad.Options.parse(args);
    }

    private static String refusal(String... args) {
        String message = assertThrows(ConfigException.class, () -> parse(args)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void loadIsOffUnlessAskedForAndEveryOptionGoesToTheNodes() {
        assertEquals(new DemoLoad.Options(DemoLoad.Mode.OFF, List.of("--capacity", "16")), parse("--capacity", "16"));
        assertEquals(new DemoLoad.Options(DemoLoad.Mode.OFF, List.of()), parse());
    }

    @Test
    void loadFlagIsTheDemosOwnAndNeverReachesTheNodes() {
        assertEquals(new DemoLoad.Options(DemoLoad.Mode.SKEW, List.of("--capacity", "16")),
                parse("--load", "skew", "--capacity", "16"));
        assertEquals(new DemoLoad.Options(DemoLoad.Mode.EVEN, List.of("--capacity", "16")),
                parse("--capacity", "16", "--load=even"));
        assertEquals(new DemoLoad.Options(DemoLoad.Mode.OFF, List.of()), parse("--load", "off"));
    }

    @Test
    void aBadLoadValueIsRefusedInOneLineNamingTheFlagTheValueAndTheChoices() {
        String message = refusal("--load", "sideways");
        assertTrue(message.contains("--load") && message.contains("sideways")
                && message.contains("skew, even or off"), message);
        assertTrue(refusal("--load=SKEW").contains("SKEW"), "values are lower case");
        assertTrue(refusal("--load").contains("missing value"));
        assertTrue(refusal("--load", "--capacity", "16").contains("missing value"));
    }

    @Test
    void rateIsSeventyPercentOfWhatTheNodesServeWithRequestsOfAHundredMilliseconds() {
        // a node of capacity 16 serves 16 requests of 100 ms at once: 160 a second; three of them 480
        assertEquals(336.0, DemoLoad.ratePerSecond(3, 16), 1e-9);
        assertEquals(1344.0, DemoLoad.ratePerSecond(3, 64), 1e-9);
    }

    @Test
    void skewSendsEightOfTenToTheFirstNodeSpreadOutAndEvenTakesTurns() {
        int[] skew = DemoLoad.rotation(DemoLoad.Mode.SKEW, 3);
        assertEquals(10, skew.length);
        int[] counts = new int[3];
        for (int node : skew) {
            counts[node]++;
        }
        assertArrayEquals(new int[] {8, 1, 1}, counts);
        for (int i = 0; i + 1 < skew.length; i++) {
            assertFalse(skew[i] != 0 && skew[i + 1] != 0, "the other nodes' turns never come back to back: "
                    + Arrays.toString(skew));
        }
        assertArrayEquals(new int[] {0, 1, 2}, DemoLoad.rotation(DemoLoad.Mode.EVEN, 3));
    }
}
