package io.ballast.protocol;

/**
 * What a member of the cluster is doing, as seen by the node that reports it.
 */
public enum MemberState {
    /** In the view, reporting, and taking requests. */
    UP,
    /** Finishing what it has before it leaves: peers no longer forward to it. */
    DRAINING,
    /** Still in the view, but failure detection suspects it or its load reports have stopped arriving. */
    SUSPECT
}
