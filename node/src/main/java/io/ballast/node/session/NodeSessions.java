package io.ballast.node.session;

import io.ballast.node.cluster.CacheDefinitions;
import io.ballast.node.cluster.Cluster;
import io.ballast.node.config.ConfigException;
import io.ballast.node.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's sessions from start to stop: the {@link ClusteredSessionManager} its handlers use from the start, its
 * {@code --data-dir} (opened first, closed last), the caches it keeps in the cluster, and their start once the node
 * has joined: this node's disk backup (if any) goes back into the cluster's sessions first, so that sessions the
 * cluster lost, or holds an older copy of, come back before this node reports itself; then the sessions this node owns
 * are counted every {@value #COUNT_INTERVAL_MS} ms, for its reports and metrics.
 */
public final class NodeSessions {

    /** How often a node counts the sessions it holds as primary owner. */
    static final long COUNT_INTERVAL_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(NodeSessions.class);

    private final NodeConfig config;
    private final ClusteredSessionManager manager;
    private volatile DataDir dataDir;

    public NodeSessions(NodeConfig config) {
        this.config = config;
        this.manager = new ClusteredSessionManager((int) config.sessionTimeout().toSeconds());
    }

    public ClusteredSessionManager manager() {
        return manager;
    }

    /**
     * Opens and locks the {@code --data-dir}, if there is one: before anything else starts.
     *
     * @throws ConfigException when it cannot be used
     */
    public void openDataDir() {
        if (config.dataDir().isPresent()) {
            dataDir = DataDir.open(config.dataDir().get(), config.name());
        }
    }

    /** The session caches, for the join. */
    public CacheDefinitions caches() {
        return new SessionCaches(config, Optional.ofNullable(dataDir).map(DataDir::path));
    }

    /**
     * Restores, counts and attaches the sessions, on the calling thread, once the node has joined {@code cluster};
     * then keeps counting on {@code scheduler}, the node's one thread for periodic work.
     */
    public void start(Cluster cluster, ScheduledExecutorService scheduler) {
        DataDir dir = dataDir;
        SessionStore store = new SessionStore(cluster.cache(SessionCaches.SESSIONS),
                dir == null ? null : cluster.cache(SessionCaches.BACKUP), (int) config.sessionTimeout().toSeconds());
        if (dir != null) {
            long start = System.nanoTime();
            SessionStore.Restored restored = store.restore();
            LOG.info("sessions from {}: {} restored, {} already current in the cluster, {} expired, {} unreadable, "
                            + "{} failed ({} ms)", dir.path(), restored.restored(), restored.current(),
                    restored.expired(), restored.unreadable(), restored.failed(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        store.recount();
        store.logRebalances();
        manager.attach(store);
        scheduler.scheduleWithFixedDelay(this::recount, COUNT_INTERVAL_MS, COUNT_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void recount() {
        try {
            manager.recount();
        } catch (RuntimeException e) {
            LOG.debug("sessions not counted: {}", e.toString());
        }
    }

    /** Closes the data directory, last: after the node has left its cluster. */
    public void close() {
        DataDir dir = dataDir;
        if (dir != null) {
            dir.close();
        }
    }
}
