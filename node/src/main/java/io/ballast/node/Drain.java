package io.ballast.node;

import io.ballast.node.cluster.Cluster;
import io.ballast.node.cluster.ClusterEvent;
import io.ballast.node.cluster.ClusterEvents;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.edge.EdgeHandler;
import io.ballast.node.edge.HttpServer;
import io.ballast.node.load.LoadReporter;
import io.ballast.node.load.LocalNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * A node's drain, the part of its stop that loses no request: it shows {@code DRAINING} to its peers (who stop
 * forwarding to it) and answers 503 for readiness, hands new requests to its peers for one report interval, then
 * refuses new connections and closes each open one after its next answer, and waits up to {@code --drain-timeout}
 * for the requests in it to finish.
 */
final class Drain {

    private static final long POLL_MS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);

    private final NodeConfig config;
    private final LocalNode self;
    private final Cluster cluster;
    private final ClusterEvents events;
    private final HttpServer server;
    private final EdgeHandler edge;

    Drain(NodeConfig config, LocalNode self, Cluster cluster, ClusterEvents events, HttpServer server,
          EdgeHandler edge) {
        this.config = config;
        this.self = self;
        this.cluster = cluster;
        this.events = events;
        this.server = server;
        this.edge = edge;
    }

    void run() {
        self.startDraining();
        if (!cluster.isJoined()) {
            return;
        }
        events.publish(ClusterEvent.Type.DRAINING, self.name(), edge.active() + " requests in flight");
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        cluster.publishAndWait(self.report());
        // A peer may have chosen this node just before it learned of the drain, and a client may still be on its way
        // here: for one report interval, requests are still taken (and handed on). Then new connections are refused,
        // and every answer from now on closes its connection, so what is open runs dry.
        sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LoadReporter.INTERVAL_MS));
        server.stopAccepting();
        while (edge.active() > 0 && System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
        if (edge.active() > 0) {
            LOG.warn("drain timed out after {} with {} requests still in flight", config.drainTimeout(),
                    edge.active());
        }
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
