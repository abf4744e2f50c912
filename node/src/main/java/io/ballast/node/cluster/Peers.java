package io.ballast.node.cluster;

import io.ballast.protocol.HopToken;
import io.ballast.protocol.LoadHeader;

import java.util.List;

/**
 * What the forward path needs of the cluster: the peers it may forward to now, the hop key, and a place for the load
 * a peer sends back on its answer. {@link Cluster} is the node's; a test may bring its own.
 */
public interface Peers {

    /** The members this node may forward to now: in the view, {@code UP}, ready, with a fresh report. */
    List<Peer> eligiblePeers();

    /** Signs and checks hop tokens under the cluster's current key. */
    HopToken hopTokens();

    /** A peer's load read from its answer to a forward: fresher than any report on the board. */
    void learn(LoadHeader load);
}
