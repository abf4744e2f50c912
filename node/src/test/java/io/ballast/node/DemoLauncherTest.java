package io.ballast.node;

import io.ballast.node.config.ConfigException;
import io.ballast.node.demo.DemoLoad;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoLauncherTest {

    private static List<String> nodeOptions(Map<String, String> environment, String... args) {
        return DemoLauncher.withLoadCapacity(DemoLoad.Options.parse(args), environment);
    }

    @Test
    void underLoadTheNodesGetTheDemoCapacityUnlessOneIsGiven() {
        assertEquals(List.of("--capacity", "16", "--strategy", "random"),
                nodeOptions(Map.of(), "--load", "skew", "--strategy", "random"));
        assertEquals(List.of("--capacity", "32"), nodeOptions(Map.of(), "--load", "even", "--capacity", "32"));
        assertEquals(List.of("--capacity=8"), nodeOptions(Map.of(), "--capacity=8", "--load", "skew"));
        assertEquals(List.of(), nodeOptions(Map.of("BALLAST_CAPACITY", "8"), "--load", "skew"));
        assertEquals(List.of(), nodeOptions(Map.of(), "--load", "off"));
        assertEquals(List.of(), nodeOptions(Map.of()));
    }

    @Test
    void nodeOptionsAreCheckedBeforeAnyNodeStarts() {
        assertEquals(16, DemoLauncher.nodeCapacity(List.of("--capacity", "16")));
        String message = assertThrows(ConfigException.class,
                () -> DemoLauncher.nodeCapacity(List.of("--capacity", "0"))).getMessage();
        assertTrue(message.contains("--capacity") && message.contains("'0'"), message);
        assertThrows(ConfigException.class, () -> DemoLauncher.nodeCapacity(List.of("--no-such-option", "1")));
    }
}
