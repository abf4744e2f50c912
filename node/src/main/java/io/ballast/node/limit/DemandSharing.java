package io.ballast.node.limit;

import io.ballast.node.cluster.CacheDefinitions;
import io.ballast.node.cluster.Cluster;
import org.infinispan.configuration.cache.CacheMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the rate limit's shares in step across the cluster: every {@value #TICK_MS} ms it moves
 * {@link ClientLimits}' demand window on, sets each client's share here from its demand here and at the peers, and
 * tells the peers this node's demand through {@link SharedDemand}. A request never waits on any of it.
 */
public final class DemandSharing {

    /** How often the shares are set and the demand published. */
    public static final long TICK_MS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(DemandSharing.class);

    /** The replicated cache the demand travels in: asynchronous, since a tick's demand is stale by the next tick. */
    public static final CacheDefinitions CACHES = holder -> holder.newConfigurationBuilder(SharedDemand.CACHE)
            .clustering().cacheMode(CacheMode.REPL_ASYNC)
            .stateTransfer().awaitInitialTransfer(true);

    private final String self;
    private final ClientLimits limits;
    private final Cluster cluster;
    private final ScheduledExecutorService scheduler;
    private SharedDemand shared;

    /**
     * @param scheduler the node's one scheduler thread, on which every tick runs
     */
    public DemandSharing(String self, ClientLimits limits, Cluster cluster, ScheduledExecutorService scheduler) {
        this.self = self;
        this.limits = limits;
        this.cluster = cluster;
        this.scheduler = scheduler;
    }

    /** Starts ticking, once the node has joined a cluster that runs {@link #CACHES}. */
    public void start() {
        shared = new SharedDemand(self, cluster.cache(SharedDemand.CACHE));
        scheduler.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            Set<String> members = cluster.memberNames();
            Map<String, Double> mine = limits.tick(shared.others(members), members.size());
            shared.publish(mine);
            if (cluster.isCoordinator()) {
                shared.forgetAllBut(members);
            }
        } catch (RuntimeException e) {
            LOG.debug("rate-limit shares not updated: {}", e.toString());
        }
    }
}
