package io.ballast.node.cluster;

import io.ballast.node.config.NodeConfig;
import io.ballast.node.config.StartupException;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.LoadHeader;
import io.ballast.protocol.LoadReport;
import org.infinispan.Cache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The cluster as the rest of the node sees it, from the moment the node is built: before {@link #join} it answers
 * as a cluster of this node alone (no peers, one member, an empty view, a hop key that verifies nothing), after it
 * from the {@link Membership} it joined. So the handlers built before the join hold this object, not a switchboard
 * of callbacks.
 */
public final class Cluster implements Peers, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cluster.class);

    private final NodeConfig config;
    private final ClusterEvents events;
    /** The hop key every node derives from {@code --secret}; null without one, when the members agree on a key. */
    private final HopToken secretHopToken;
    /** Until the node has joined, no peer can have signed anything for it: a private random key rejects every token. */
    private final HopToken unjoinedHopToken = new HopToken(randomKey());
    private volatile Membership membership;

    public Cluster(NodeConfig config, ClusterEvents events) {
        this.config = config;
        this.events = events;
        this.secretHopToken = config.secret().map(HopToken::forSecret).orElse(null);
    }

    /**
     * Joins the cluster named in the configuration, running the caches of {@code definitions} beside the cluster's
     * own, and returns once this node holds the members' reports and its share of the caches started on joining.
     *
     * @throws StartupException when the cluster port is taken, or another member already uses this node's name
     */
    public void join(List<CacheDefinitions> definitions) throws Exception {
        if (membership != null) {
            throw new IllegalStateException("already joined");
        }
        try {
            membership = Membership.join(config, events, definitions);
        } catch (Exception e) {
            if (hasCause(e, BindException.class)) {
                throw new StartupException("--cluster-port", Integer.toString(config.clusterPort()),
                        "a free port on " + config.bind().getHostAddress() + " (and port+100 for failure detection)");
            }
            throw e;
        }
    }

    /** Calls {@code listener} with the name of each member that leaves this node's view. */
    public void onLeft(Consumer<String> listener) {
        events.subscribe(event -> {
            if (event.type() == ClusterEvent.Type.LEFT) {
                listener.accept(event.member());
            }
        });
    }

    public boolean isJoined() {
        return membership != null;
    }

    @Override
    public List<Peer> eligiblePeers() {
        Membership current = membership;
        return current == null ? List.of() : current.eligiblePeers();
    }

    @Override
    public void learn(LoadHeader load) {
        Membership current = membership;
        if (current != null && !load.name().equals(config.name())) {
            current.board().update(load);
        }
    }

    /** How many members this node's view has now, this node included. */
    public int memberCount() {
        Membership current = membership;
        return current == null ? 1 : current.memberCount();
    }

    /** The names of the members in this node's view now, this node included. */
    public Set<String> memberNames() {
        Membership current = membership;
        return current == null ? Set.of(config.name()) : current.memberNames();
    }

    public boolean isCoordinator() {
        Membership current = membership;
        return current != null && current.isCoordinator();
    }

    /**
     * The cluster as this node sees it now, for {@code /_ballast/cluster}.
     *
     * @param self this node's current report, shown for itself with age 0
     */
    public ClusterView view(LoadReport self) {
        Membership current = membership;
        if (current == null) {
            return new ClusterView(config.cluster(), config.name(), null, 0, List.of());
        }
        return current.view(self);
    }

    @Override
    public HopToken hopTokens() {
        if (secretHopToken != null) {
            return secretHopToken;
        }
        Membership current = membership;
        return current == null ? unjoinedHopToken : current.hopToken();
    }

    /** Tells every member this node's latest report, without waiting; nothing before the join. */
    public void publish(LoadReport report) {
        Membership current = membership;
        if (current != null) {
            current.reports().publish(report);
        }
    }

    /** Tells every member this node's report and returns once they all have it; nothing before the join. */
    public void publishAndWait(LoadReport report) {
        Membership current = membership;
        if (current != null) {
            current.reports().publishAndWait(report);
        }
    }

    /**
     * A cache that one of the definitions given to {@link #join} defined.
     *
     * @throws IllegalStateException before the join
     */
    public Cache<String, String> cache(String name) {
        Membership current = membership;
        if (current == null) {
            throw new IllegalStateException("cache '" + name + "' asked for before the node joined its cluster");
        }
        return current.cache(name);
    }

    /**
     * Reads the hop key the members agreed on again, when they run without {@code --secret}: after a partition
     * heals, they converge on one side's key. Off the request path: the node runs it every second.
     */
    public void refreshHopKey() {
        Membership current = membership;
        if (current != null && secretHopToken == null) {
            current.refreshHopKey();
        }
    }

    /** What this node's transport has sent and received on the cluster port; nothing before the join. */
    public TransportStats transportStats() {
        Membership current = membership;
        return current == null ? TransportStats.NONE : current.transportStats();
    }

    /** Leaves the cluster, if this node had joined: peers drop it from their view at once. */
    @Override
    public void close() {
        Membership current = membership;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.warn("leaving the cluster failed: {}", e.toString());
            }
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
