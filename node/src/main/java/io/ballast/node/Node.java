package io.ballast.node;

import io.ballast.node.admin.AdminHandler;
import io.ballast.node.cluster.ClusterEvents;
import io.ballast.node.cluster.Membership;
import io.ballast.node.config.ConfigException;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.demo.DemoApp;
import io.ballast.node.edge.EdgeHandler;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.load.MeteringHandler;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Ballast node: an Undertow server in front of an application, a member of a JGroups/Infinispan cluster, and a
 * publisher of its own load. {@link #start} returns once the node serves HTTP and has joined its cluster.
 *
 * <pre>{@code
 * NodeConfig config = NodeConfig.builder().name("web-1").httpPort(8080).discovery("dns:web.example.com").build();
 * try (Node node = Node.start(config, exchange -> exchange.getResponseSender().send("hi"))) {
 *     node.awaitStop();
 * }
 * }</pre>
 */
public final class Node implements AutoCloseable {

    /** How often a node publishes its load report, at the least. */
    public static final long REPORT_INTERVAL_MS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final LoadMeter meter;
    private final ClusterEvents events = new ClusterEvents();
    private final ScheduledExecutorService scheduler;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Undertow server;
    private volatile Membership membership;
    private volatile MemberState state = MemberState.UP;

    private Node(NodeConfig config, HttpHandler application) {
        this.config = config;
        this.meter = new LoadMeter(config.capacity(), 1);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ballast-reporter");
            thread.setDaemon(true);
            return thread;
        });
        this.server = Undertow.builder()
                .addHttpListener(config.httpPort(), config.bind().getHostAddress())
                .setHandler(chain(application))
                .build();
    }

    /** Starts a node that serves the built-in demo application. */
    public static Node start(NodeConfig config) throws Exception {
        return start(config, new DemoApp(config.name()));
    }

    /**
     * Starts a node that serves {@code application}, and returns once it serves HTTP and has joined its cluster.
     *
     * @throws ConfigException when a port is taken or the name is already used in the cluster
     */
    public static Node start(NodeConfig config, HttpHandler application) throws Exception {
        Node node = new Node(config, application);
        node.startServing();
        return node;
    }

    /**
     * The handler chain every request goes through, outermost first. Operator endpoints are answered by this node;
     * everything else is served here within the node's capacity.
     */
    private HttpHandler chain(HttpHandler application) {
        HttpHandler served = new MeteringHandler(config.name(), meter, config.queueSize(), application);
        HttpHandler admin = new AdminHandler(this::view, this::isReady);
        PathHandler paths = new PathHandler(served).addPrefixPath(AdminHandler.PREFIX, admin);
        return new EdgeHandler(config.name(), paths);
    }

    private void startServing() throws Exception {
        try {
            server.start();
        } catch (RuntimeException e) {
            if (e.getCause() instanceof BindException) {
                throw new ConfigException("--http-port", Integer.toString(config.httpPort()),
                        "a free port on " + config.bind().getHostAddress() + ", but: " + e.getCause().getMessage());
            }
            throw e;
        }
        try {
            membership = Membership.join(config, events);
        } catch (Exception e) {
            server.stop();
            if (hasCause(e, BindException.class)) {
                throw new ConfigException("--cluster-port", Integer.toString(config.clusterPort()),
                        "a free port on " + config.bind().getHostAddress() + " (and port+100 for failure detection)");
            }
            throw e;
        }
        publish();
        scheduler.scheduleAtFixedRate(this::publishQuietly, REPORT_INTERVAL_MS, REPORT_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        LOG.info("node {} serving {} in cluster '{}' (discovery {}, capacity {})", config.name(), config.url(),
                config.cluster(), config.discovery(), config.capacity());
    }

    public String name() {
        return config.name();
    }

    public String url() {
        return config.url();
    }

    public NodeConfig config() {
        return config;
    }

    public ClusterEvents events() {
        return events;
    }

    /** The cluster as this node sees it now. */
    public ClusterView view() {
        Membership current = membership;
        LoadReport self = report();
        if (current == null) {
            return new ClusterView(config.cluster(), config.name(), null, 0, java.util.List.of());
        }
        return current.view(self);
    }

    /** Whether this node should be sent traffic: it has joined its cluster and is not leaving. */
    public boolean isReady() {
        return membership != null && state == MemberState.UP;
    }

    private LoadReport report() {
        return meter.report(config.name(), config.url(), state);
    }

    private void publish() {
        Membership current = membership;
        if (current != null) {
            current.publish(report());
        }
    }

    private void publishQuietly() {
        try {
            publish();
        } catch (RuntimeException e) {
            LOG.debug("load report not published: {}", e.toString());
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Leaves the cluster (peers drop this node at once) and stops serving. */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        state = MemberState.DRAINING;
        scheduler.shutdownNow();
        Membership current = membership;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.warn("leaving the cluster failed: {}", e.toString());
            }
        }
        server.stop();
        LOG.info("node {} stopped", config.name());
        stopped.countDown();
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
