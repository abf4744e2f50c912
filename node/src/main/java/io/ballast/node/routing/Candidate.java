package io.ballast.node.routing;

import java.util.Objects;

/**
 * A node that could serve a request, as the deciding node sees it at that moment.
 *
 * @param name     the node's name
 * @param inFlight requests in flight there, as last reported plus what this node has sent it since
 * @param capacity requests it serves at once
 * @param weight   its weight for weighted strategies, at least 1
 * @param self     whether this is the deciding node itself
 */
public record Candidate(String name, int inFlight, int capacity, int weight, boolean self) {

    public Candidate {
        Objects.requireNonNull(name, "name");
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        if (weight <= 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: > 0)");
        }
    }

    /** In-flight requests per slot of capacity. */
    public double load() {
        return (double) inFlight / capacity;
    }
}
