package io.ballast.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * What a node tells its peers about itself: where to reach it, what state it is in, and how busy it is.
 *
 * <p>Each node publishes one of these at least every 250 ms; the cluster view that operators read is built from the
 * latest report of every member of the current membership.
 *
 * @param name       the node's name, unique in the cluster
 * @param url        the node's HTTP base URL, e.g. {@code http://10.0.0.5:8080}
 * @param state      what the node says it is doing
 * @param inFlight   requests in the node right now, served here or waiting for a slot
 * @param capacity   how many requests the node serves at once ({@code --capacity})
 * @param served     requests served by this node since it started
 * @param forwarded  requests this node has forwarded to a peer since it started
 * @param failedOver forwards that failed before a response and went to another candidate or were served here
 * @param latencyMs  exponentially weighted moving average of the time to serve a request here, in milliseconds
 * @param cpu        recent process CPU load, 0.0 to 1.0, or -1 when the platform does not tell
 * @param weight      the node's weight for weighted strategies ({@code --weight})
 * @param incarnation random, chosen when the node process starts: tells a restarted node from its past self
 * @param sequence    increases with every report the node makes in this incarnation
 * @param ready       whether the node can serve requests itself: false while its {@code --upstream} application
 *                    does not answer; peers then forward nothing to it
 * @param sessions    the live sessions whose data this node holds as primary owner (each session counts at one node);
 *                    0 in reports from nodes that predate sessions
 * @param forwardedTo the requests this node has forwarded to each peer since it started, by peer name, counted when
 *                    the forward ends (a peer that leaves the view drops out); empty in reports from nodes that
 *                    predate it
 * @param serviceMs   exponentially weighted moving average of the time a request holds one of the node's slots, in
 *                    milliseconds, leaving out its wait in the queue; 0 when not known yet (nothing served since the
 *                    node started, or a node that predates it)
 * @param demand      requests per second the node's own clients send it (forwards from peers left out), averaged
 *                    over a few seconds; 0 from a node that predates it
 * @param hot         whether the node is overloaded by its own clients (with hysteresis): while any member is, every
 *                    node places requests on the shortest expected delay; false from a node that predates it
 */
public record LoadReport(String name, String url, MemberState state, int inFlight, int capacity, long served,
                         long forwarded, long failedOver, double latencyMs, double cpu, int weight, long incarnation,
                         long sequence, boolean ready, long sessions,
                         Map<String, Long> forwardedTo,
                         // the decision's signals
                         double serviceMs, double demand, boolean hot) {

    public LoadReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(state, "state");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        forwardedTo = forwardedTo == null ? Map.of() : Map.copyOf(forwardedTo);
    }

    /** Requests in flight per slot of capacity: 0 is idle, 1 is full, above 1 means requests are queueing. */
    public double load() {
        return (double) inFlight / capacity;
    }

    /**
     * The offered load of the node's own clients per slot: their rate times the service time over the capacity, 1.0
     * when they alone would keep every slot busy; 0 when the service time is not known.
     */
    public double demandPerSlot() {
        return demand * serviceMs / 1000.0 / capacity;
    }

    /** Whether this report is newer than {@code other} from the same node (a new incarnation always is). */
    public boolean isNewerThan(LoadReport other) {
        return incarnation != other.incarnation || sequence > other.sequence;
    }
}
