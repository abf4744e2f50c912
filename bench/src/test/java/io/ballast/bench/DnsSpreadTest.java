package io.ballast.bench;

import io.ballast.bench.load.DnsSpread;
import io.ballast.bench.load.Target;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DnsSpreadTest {

    private static final List<Target> NODES = List.of(target("node1"), target("node2"), target("node3"));

    @Test
    void skewedWeightsSendEachNodeItsShare() {
        DnsSpread spread = new DnsSpread(NODES, List.of(0.8, 0.1, 0.1), 7);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 100_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(spread.next().name(), 1, Integer::sum);
        }
        assertEquals(0.8, counts.get("node1") / (double) draws, 0.01);
        assertEquals(0.1, counts.get("node2") / (double) draws, 0.01);
        assertEquals(0.1, counts.get("node3") / (double) draws, 0.01);
    }

    @Test
    void theSameSeedGivesEveryConfigurationTheSameSequence() {
        assertEquals(sequence(DnsSpread.even(NODES, 3)), sequence(DnsSpread.even(NODES, 3)));
    }

    @Test
    void weightsMustMatchTargetsAndSumAboveZero() {
        assertThrows(IllegalArgumentException.class, () -> new DnsSpread(NODES, List.of(1.0, 1.0), 1));
        assertThrows(IllegalArgumentException.class, () -> new DnsSpread(NODES, List.of(0.0, 0.0, 0.0), 1));
        assertThrows(IllegalArgumentException.class, () -> new DnsSpread(NODES, List.of(1.0, -1.0, 1.0), 1));
    }

    private static List<String> sequence(DnsSpread spread) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            names.add(spread.next().name());
        }
        return names;
    }

    private static Target target(String name) {
        return new Target(name, URI.create("http://127.0.0.1:1"));
    }
}
