package io.ballast.node.admin;

import io.ballast.node.cluster.Cluster;
import io.ballast.node.cluster.ClusterEvents;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.load.LocalNode;
import io.ballast.node.routing.Candidate;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeMetricsTest {

    private static final long MS = 1_000_000;

    private long now;

    private static double gauge(String scrape, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + "\\{[^}]*} (\\S+)$").matcher(scrape);
        assertTrue(matcher.find(), "no " + name + " in:\n" + scrape);
        return Double.parseDouble(matcher.group(1));
    }

    @Test
    void serviceTimeDemandAndTheHotFlagAreGauges() {
        LoadMeter meter = new LoadMeter(8, 1, () -> now);
        LocalNode self = new LocalNode("n1", "http://127.0.0.1:8080", InetAddress.getLoopbackAddress(), 1, meter,
                () -> true, () -> 0);
        NodeMetrics metrics = new NodeMetrics(self,
                new Cluster(NodeConfig.builder().name("n1").build(), new ClusterEvents())); // not joined: a view of none
        String idle = metrics.scrape();
        assertEquals(0.0, gauge(idle, "ballast_service_seconds"));
        assertEquals(0.0, gauge(idle, "ballast_hot"));

        // 100 client requests a second for 10 s, each holding a slot for 100 ms: 10 slots' worth for 8
        for (int i = 0; i < 1_000; i++) {
            now += 10 * MS;
            meter.clientRequest();
            meter.started();
            meter.answering();
            meter.finished(100 * MS, 100 * MS, true);
        }
        meter.candidate("n1", List.<Candidate>of());
        String busy = metrics.scrape();
        assertEquals(0.1, gauge(busy, "ballast_service_seconds"), 1e-9);
        assertEquals(1.25, gauge(busy, "ballast_demand"), 0.05);
        assertEquals(1.0, gauge(busy, "ballast_hot"));
    }
}
