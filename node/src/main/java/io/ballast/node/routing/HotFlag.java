package io.ballast.node.routing;

/**
 * Whether a node is overloaded by its own clients ("hot"), with hysteresis so that the mode of the whole cluster does
 * not flap on noise. The node publishes the flag in its load report; while any member is hot, every node places
 * requests on the shortest expected delay ({@link Router}).
 *
 * <p>The input is the node's demand per slot: the rate of its own clients' requests times its service time over its
 * capacity, averaged over a few seconds. 1.0 means its clients alone would keep every slot busy.
 *
 * <p>Thread-safe.
 */
public final class HotFlag {

    /** Demand per slot from which a node is hot: its own clients would leave it little room for bursts. */
    public static final double ENTER = 0.85;

    /** A hot node stays hot until its demand falls below this (and below {@link #LEAVE_ABOVE_PEERS}). */
    public static final double LEAVE = 0.8;

    /**
     * Or, whatever the level, a node whose demand is this much above its peers' mean is hot: an 80/10/10 skew at 30%
     * of the cluster's capacity puts one node at 0.72 and its peers at 0.09, and spreading it takes only idle slots.
     */
    public static final double ENTER_ABOVE_PEERS = 0.2;

    /** A node that became hot by that difference stays hot until it falls below this. */
    public static final double LEAVE_ABOVE_PEERS = 0.1;

    private boolean hot;
    private double peersMean;

    /**
     * Takes this node's demand per slot and its peers' mean; returns whether the node is hot now.
     *
     * @param peersMean the mean of the peers' demands per slot, or NaN when there are none (the last one stays)
     */
    public synchronized boolean update(double demand, double peersMean) {
        if (!Double.isNaN(peersMean)) {
            this.peersMean = peersMean;
        }
        double above = demand - this.peersMean;
        if (hot) {
            hot = demand >= LEAVE || above >= LEAVE_ABOVE_PEERS;
        } else {
            hot = demand >= ENTER || above >= ENTER_ABOVE_PEERS;
        }
        return hot;
    }

    public synchronized boolean isHot() {
        return hot;
    }
}
