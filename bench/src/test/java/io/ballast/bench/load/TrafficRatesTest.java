package io.ballast.bench.load;

import io.ballast.bench.process.TrafficSample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrafficRatesTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void eachNodesRateComesFromItsOwnTwoSamplesThenTheMeanIsTaken() {
        // node1 sampled over 2 s, node2 over 4 s: each rate uses its own interval
        List<TrafficSample> start = List.of(
                new TrafficSample("node1", 0, 100, 200, 10_000, 20_000, 0),
                new TrafficSample("node2", SECOND, 0, 0, 0, 0, 0));
        List<TrafficSample> end = List.of(
                new TrafficSample("node2", 5 * SECOND, 40, 80, 4_000, 8_000, 2 * SECOND),
                new TrafficSample("node1", 2 * SECOND, 120, 240, 12_000, 24_000, SECOND / 2));

        TrafficRates rates = TrafficRates.between(start, end);

        assertEquals(3, rates.seconds(), 1e-9);
        assertEquals((10 + 10) / 2.0, rates.messagesSent(), 1e-9);
        assertEquals((20 + 20) / 2.0, rates.messagesReceived(), 1e-9);
        assertEquals((1_000 + 1_000) / 2.0, rates.bytesSent(), 1e-9);
        assertEquals((2_000 + 2_000) / 2.0, rates.bytesReceived(), 1e-9);
        assertEquals((0.25 + 0.5) / 2, rates.cpuCores(), 1e-9);
        assertEquals(0.5, rates.maxCpuCores(), 1e-9);
    }

    @Test
    void aNodeSampledAtOneEndOnlyIsLeftOutAndNoneAtBothIsAnError() {
        List<TrafficSample> start = List.of(new TrafficSample("node1", 0, 0, 0, 0, 0, 0));
        List<TrafficSample> end = List.of(new TrafficSample("node1", SECOND, 5, 5, 50, 50, 0),
                new TrafficSample("node9", SECOND, 999, 999, 999, 999, 0));
        assertEquals(5, TrafficRates.between(start, end).messagesSent(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> TrafficRates.between(start, List.of()));
    }
}
