package io.ballast.bench.load;

import io.ballast.bench.process.TrafficSample;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's traffic over one window, per node: each node's rate between its two samples, then the mean over the
 * nodes, and the busiest node's CPU.
 *
 * @param seconds          the window's length (the mean of the nodes' own)
 * @param messagesSent     cluster messages a node sent per second, on average over the nodes
 * @param messagesReceived cluster messages a node received per second
 * @param bytesSent        bytes of cluster messages a node sent per second
 * @param bytesReceived    bytes a node received per second
 * @param cpuCores         cores a node kept busy (CPU seconds per second), on average
 * @param maxCpuCores      cores the busiest node kept busy
 */
public record TrafficRates(double seconds, double messagesSent, double messagesReceived, double bytesSent,
                           double bytesReceived, double cpuCores, double maxCpuCores) {

    /** The rates from {@code start} to {@code end}, matched by node name; nodes missing from either are left out. */
    public static TrafficRates between(List<TrafficSample> start, List<TrafficSample> end) {
        Map<String, TrafficSample> before = new HashMap<>();
        start.forEach(sample -> before.put(sample.node(), sample));
        double seconds = 0;
        double sent = 0;
        double received = 0;
        double bytesOut = 0;
        double bytesIn = 0;
        double cpu = 0;
        double maxCpu = 0;
        int nodes = 0;
        for (TrafficSample after : end) {
            TrafficSample first = before.get(after.node());
            if (first == null || after.nanos() <= first.nanos()) {
                continue;
            }
            double s = (after.nanos() - first.nanos()) / 1e9;
            seconds += s;
            sent += (after.messagesSent() - first.messagesSent()) / s;
            received += (after.messagesReceived() - first.messagesReceived()) / s;
            bytesOut += (after.bytesSent() - first.bytesSent()) / s;
            bytesIn += (after.bytesReceived() - first.bytesReceived()) / s;
            double cores = after.cpuNanos() < 0 || first.cpuNanos() < 0 ? Double.NaN
                    : (after.cpuNanos() - first.cpuNanos()) / 1e9 / s;
            cpu += cores;
            maxCpu = Math.max(maxCpu, cores);
            nodes++;
        }
        if (nodes == 0) {
            throw new IllegalArgumentException("no node sampled at both ends of the window");
        }
        return new TrafficRates(seconds / nodes, sent / nodes, received / nodes, bytesOut / nodes, bytesIn / nodes,
                cpu / nodes, maxCpu);
    }
}
