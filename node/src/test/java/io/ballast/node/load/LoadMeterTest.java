package io.ballast.node.load;

import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoadMeterTest {

    private final LoadMeter meter = new LoadMeter(8, 1);

    private LoadReport report() {
        return meter.report("node-a", "http://127.0.0.1:8080", MemberState.UP, true, 0);
    }

    @Test
    void reportsCountTheForwardsThatEndedAtEachPeer() {
        assertEquals(Map.of(), report().forwardedTo());
        meter.forwardedTo("node-b");
        meter.forwardedTo("node-c");
        meter.forwardedTo("node-b");
        assertEquals(Map.of("node-b", 2L, "node-c", 1L), report().forwardedTo());
    }

    @Test
    void aPeerThatLeftIsNoLongerNamedInTheReports() {
        meter.forwardedTo("node-b");
        meter.forwardedTo("node-c");
        meter.forgetPeer("node-b");
        assertEquals(Map.of("node-c", 1L), report().forwardedTo());
        meter.forwardedTo("node-b");
        assertEquals(Map.of("node-b", 1L, "node-c", 1L), report().forwardedTo(), "a peer that came back starts at 1");
    }
}
