package io.ballast.node.routing;

import io.ballast.protocol.LoadReport;

import java.util.Objects;

/**
 * A node that could serve a request, as the deciding node sees it at that moment.
 *
 * @param name          the node's name
 * @param inFlight      requests in flight there (served or queued), as last reported plus what this node has sent it
 *                      since
 * @param capacity      requests it serves at once; it queues as many more
 * @param weight        its weight for weighted strategies, at least 1
 * @param self          whether this is the deciding node itself
 * @param serviceMs     how long a request holds one of its slots (an average, leaving out the queue), in ms; 0 when
 *                      not known
 * @param demand        its own clients' offered load per slot (their rate times its service time over its capacity)
 * @param hot           whether it is overloaded by its own clients ({@link HotFlag})
 * @param sinceServedMs how long since it last took a request to serve itself; the deciding node's own only, 0 for a
 *                      peer
 */
public record Candidate(String name, int inFlight, int capacity, int weight, boolean self, double serviceMs,
                        double demand, boolean hot, long sinceServedMs) {

    public Candidate {
        Objects.requireNonNull(name, "name");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
        }
    }

    /** A node of which only the counts are known: service time unknown, no demand, not hot. */
    public Candidate(String name, int inFlight, int capacity, int weight, boolean self) {
        this(name, inFlight, capacity, weight, self, 0, 0, false, 0);
    }

    /** A peer as its latest {@code report} describes it, with {@code estimatedInFlight} requests in flight. */
    public static Candidate peer(LoadReport report, int estimatedInFlight) {
        return new Candidate(report.name(), estimatedInFlight, report.capacity(), Math.max(1, report.weight()),
                false, report.serviceMs(), report.demandPerSlot(), report.hot(), 0);
    }

    /** In-flight requests per slot of capacity. */
    public double load() {
        return (double) inFlight / capacity;
    }
}
