package io.ballast.node.cluster;

import org.jgroups.protocols.MsgStats;
import org.jgroups.protocols.TP;

/**
 * What this node's JGroups transport has sent and received since it joined: the messages of the cluster port
 * (membership, discovery, heartbeats, load reports, sessions) with their bytes, as JGroups counts them. A message
 * to all members counts once as sent, though over TCP ({@code static:}, {@code dns:}) it leaves as one copy per
 * member; received counts every copy that arrives, this node's own messages to all included. Failure detection's
 * own sockets (cluster port + 100) are not counted.
 */
public record TransportStats(long messagesSent, long messagesReceived, long bytesSent, long bytesReceived) {

    /** Before the node has joined: nothing sent, nothing received. */
    public static final TransportStats NONE = new TransportStats(0, 0, 0, 0);

    /** Infinispan turns JGroups' statistics off; the message counts cost a few additions per message. */
    static void startCounting(TP transport) {
        transport.getMessageStats().enable(true);
    }

    static TransportStats of(TP transport) {
        MsgStats stats = transport.getMessageStats();
        return new TransportStats(stats.getNumMsgsSent(), stats.getNumMsgsReceived(), stats.getNumBytesSent(),
                stats.getNumBytesReceived());
    }
}
