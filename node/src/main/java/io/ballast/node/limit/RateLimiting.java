package io.ballast.node.limit;

import io.ballast.node.cluster.Cluster;
import io.undertow.server.HttpHandler;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The node's part in the cluster-wide {@code --rate-limit}, or nothing without one: the {@link ClientLimits} its
 * {@link RateLimitHandler} counts requests against, and the {@link DemandSharing} that keeps their shares in step
 * with the peers once the node has joined.
 */
public final class RateLimiting {

    private final String self;
    private final ClientLimits limits;

    public RateLimiting(String self, Optional<RateLimit> limit) {
        this.self = self;
        this.limits = limit.map(l -> new ClientLimits(l, DemandSharing.TICK_MS / 1000.0)).orElse(null);
    }

    /** The buckets, when there is a limit. */
    public Optional<ClientLimits> limits() {
        return Optional.ofNullable(limits);
    }

    /** {@code next} behind a {@link RateLimitHandler}, or {@code next} itself without a limit. */
    public HttpHandler inFrontOf(Cluster cluster, HttpHandler next) {
        return limits == null ? next : new RateLimitHandler(limits, cluster, next);
    }

    /** Starts sharing the demand with the peers, on the node's one scheduler thread; nothing without a limit. */
    public void start(Cluster cluster, ScheduledExecutorService scheduler) {
        if (limits != null) {
            new DemandSharing(self, limits, cluster, scheduler).start();
        }
    }
}
