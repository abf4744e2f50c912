package io.ballast.node.routing;

import java.util.List;

/**
 * Picks one candidate out of a list: the whole of a balancing algorithm. Implementations know nothing of HTTP or
 * of the cluster; they are called concurrently and must be thread-safe.
 */
public interface Strategy {

    /**
     * @param candidates the nodes to choose among, in a stable order (by name); may be empty
     * @return one of {@code candidates}, or null when the list is empty
     */
    Candidate pick(List<Candidate> candidates);
}
