package io.ballast.node.load;

import io.ballast.node.cluster.Cluster;
import io.ballast.node.cluster.ClusterEvent;
import io.ballast.node.cluster.ClusterEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes this node's load report to its peers every {@value #INTERVAL_MS} ms, and soon after the in-flight count
 * moves sharply ({@link LoadMeter#onSharpChange}); announces an {@link ClusterEvent.Type#OVERLOADED} node.
 */
public final class LoadReporter {

    /** How often a node publishes its load report, at the least. */
    public static final long INTERVAL_MS = 250;

    /** Load at which requests start to queue here: the overload is announced. */
    static final double OVERLOADED = 1.0;

    /** The overload is announced again only after the load fell below this: no event for every jitter around 1. */
    static final double RECOVERED = 0.75;

    private static final Logger LOG = LoggerFactory.getLogger(LoadReporter.class);

    private final LocalNode self;
    private final Cluster cluster;
    private final ClusterEvents events;
    private final ScheduledExecutorService scheduler;
    private final AtomicBoolean publishPending = new AtomicBoolean();
    /** Whether this node last announced itself overloaded; touched by the scheduler's thread only. */
    private boolean overloaded;

    /**
     * @param scheduler the node's one scheduler thread, on which every report is made and published
     */
    public LoadReporter(LocalNode self, Cluster cluster, ClusterEvents events, ScheduledExecutorService scheduler) {
        this.self = self;
        this.cluster = cluster;
        this.events = events;
        this.scheduler = scheduler;
    }

    /** Publishes the first report now, then keeps publishing until the scheduler stops. */
    public void start() {
        self.meter().onSharpChange(this::publishSoon);
        self.meter().sampleCpu();
        cluster.publish(self.report());
        scheduler.scheduleAtFixedRate(this::tick, INTERVAL_MS, INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** Publishes soon, off the request thread, when the load has moved sharply; at most one pending at a time. */
    private void publishSoon() {
        if (publishPending.compareAndSet(false, true)) {
            try {
                scheduler.execute(() -> {
                    publishPending.set(false);
                    publishQuietly();
                });
            } catch (RejectedExecutionException e) {
                publishPending.set(false);
            }
        }
    }

    private void tick() {
        self.meter().sampleCpu();
        publishQuietly();
    }

    private void publishQuietly() {
        try {
            cluster.publish(self.report());
            watchOverload();
        } catch (RuntimeException e) {
            LOG.debug("load report not published: {}", e.toString());
        }
    }

    /** Announces once when requests start to queue here, and again only after the load fell below recovery. */
    private void watchOverload() {
        LoadMeter meter = self.meter();
        double load = meter.load();
        if (!overloaded && load >= OVERLOADED) {
            overloaded = true;
            events.publish(ClusterEvent.Type.OVERLOADED, self.name(), meter.inFlight() + " requests in flight for "
                    + meter.capacity() + " slots: requests are queueing");
        } else if (overloaded && load < RECOVERED) {
            overloaded = false;
        }
    }
}
