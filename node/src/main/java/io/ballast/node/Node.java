package io.ballast.node;

import io.ballast.node.admin.AdminHandler;
import io.ballast.node.admin.DrainEndpoint;
import io.ballast.node.admin.EventStream;
import io.ballast.node.admin.NodeMetrics;
import io.ballast.node.cluster.Cluster;
import io.ballast.node.cluster.ClusterEvents;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.config.StartupException;
import io.ballast.node.demo.DemoApp;
import io.ballast.node.edge.ApplicationGuard;
import io.ballast.node.edge.BodyLimitHandler;
import io.ballast.node.edge.EdgeHandler;
import io.ballast.node.edge.HeaderLimitHandler;
import io.ballast.node.edge.HttpLimits;
import io.ballast.node.edge.HttpServer;
import io.ballast.node.edge.RecoveryHandler;
import io.ballast.node.forward.HopCheck;
import io.ballast.node.forward.RoutingHandler;
import io.ballast.node.forward.UpstreamApp;
import io.ballast.node.limit.DemandSharing;
import io.ballast.node.limit.RateLimiting;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.load.LoadReporter;
import io.ballast.node.load.LocalNode;
import io.ballast.node.load.MeteringHandler;
import io.ballast.node.routing.Router;
import io.ballast.node.session.ClusteredSessionManager;
import io.ballast.node.session.NodeSessions;
import io.ballast.node.session.SessionCookie;
import io.ballast.node.session.SessionHandler;
import io.ballast.protocol.ClusterView;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One Ballast node: an Undertow server in front of an application, a member of a JGroups/Infinispan cluster, and a
 * publisher of its own load. {@link #start} returns once the node serves HTTP and has joined its cluster; the README
 * ("Embedded, in Java") shows it around an application's own handler.
 *
 * <p>{@code Node} only assembles: the handler chain in {@link #chain}, the periodic jobs (load reports, rate-limit
 * shares, session counts) on one scheduler thread, and the order of start and stop.
 */
public final class Node implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final ClusterEvents events = new ClusterEvents();
    private final EventStream eventStream = new EventStream();
    private final Cluster cluster;
    private final NodeSessions sessions;
    private final LocalNode self;
    private final NodeMetrics metrics;
    private final RateLimiting rateLimiting;
    private final UpstreamApp upstream;
    private final EdgeHandler edge;
    private final RoutingHandler routing;
    private final HttpServer server;
    /** The node's one thread for periodic work: load reports, rate-limit shares, session counts. */
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ballast-reporter");
        thread.setDaemon(true);
        return thread;
    });
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Node(NodeConfig config, HttpHandler application, UpstreamApp upstream) {
        this.config = config;
        this.upstream = upstream;
        events.subscribe(eventStream::publish);
        this.cluster = new Cluster(config, events);
        this.sessions = new NodeSessions(config);
        this.self = new LocalNode(config.name(), config.url(), config.bind(), config.weight(),
                new LoadMeter(config.capacity(), config.weight()), upstream == null ? () -> true : upstream::isUp,
                sessions.manager()::primaryOwnedCount);
        this.metrics = new NodeMetrics(self, cluster);
        this.rateLimiting = new RateLimiting(config.name(), config.rateLimit());
        rateLimiting.limits().ifPresent(metrics::rateLimits);
        Chain chain = chain(application);
        this.edge = chain.edge();
        this.routing = chain.routing();
        this.server = new HttpServer(config, chain.root());
        server.peerTls().ifPresent(routing::forwardOverTls);
    }

    /** The chain's root, and the two handlers whose state the node's lifecycle needs. */
    private record Chain(HttpHandler root, EdgeHandler edge, RoutingHandler routing) { }

    /**
     * The handler chain every request goes through, one layer a line, outermost first. Served here: metering, then
     * (for an application in this process; an {@code --upstream} keeps its own sessions, and its proxy its own time
     * limit) the guard, sessions and the application.
     */
    private Chain chain(HttpHandler application) {
        EdgeHandler edge;
        RoutingHandler routing;
        HttpHandler root =
                new RecoveryHandler(                                        // whatever fails below: 500, or close
                edge = new EdgeHandler(config.name(), self::isDraining,      // X-Served-By, X-Request-Id, drain count
                new HeaderLimitHandler(                                      // 431, 414, 400 for heads over limits
                operatorEndpointsOr(                                         // /_ballast/*: answered here, always
                new BodyLimitHandler(config.maxBody(),                       // 413 over --max-body
                new HopCheck(config.name(), cluster::hopTokens,              // a peer's forward, or a client's request
                rateLimiting.inFrontOf(cluster,                              // 429 over --rate-limit
                routing = new RoutingHandler(self, cluster,                  // here, or one peer
                        new Router(config.balance(), config.strategy().create(RandomGenerator.getDefault())),
                        HttpLimits.forwardTimeoutMillis(config.requestTimeout()), metrics::forwardCompleted,
                new MeteringHandler(config.name(), self.meter(), config.queueSize(), // capacity and queue
                upstream != null ? application :                             // an --upstream: its own everything
                new ApplicationGuard(config.name(), config.requestTimeout(), // --request-timeout: 503
                new SessionHandler(sessions.manager(), new SessionCookie(config.sessionCookie()), // cluster's sessions
                application)))))))))));
        return new Chain(root, edge, routing);
    }

    private HttpHandler operatorEndpointsOr(HttpHandler next) {
        return new PathHandler(next).addPrefixPath(AdminHandler.PREFIX,
                new AdminHandler(self, cluster, metrics, eventStream,
                        new DrainEndpoint(config.secret(), this::closeInBackground)));
    }

    /** Starts a node that serves its {@code --upstream} application, or else the built-in demo application. */
    public static Node start(NodeConfig config) throws Exception {
        if (config.upstream().isPresent()) {
            UpstreamApp app = new UpstreamApp(config.upstream().get(), config.requestTimeout());
            try {
                return start(config, app, app);
            } catch (Exception | Error e) {
                app.close();
                throw e;
            }
        }
        return start(config, new DemoApp(config.name(), config.workFactor()));
    }

    /**
     * Starts a node that serves {@code application}, and returns once it serves HTTP and has joined its cluster.
     *
     * @throws StartupException when a port is taken or the name is already used in the cluster
     */
    public static Node start(NodeConfig config, HttpHandler application) throws Exception {
        return start(config, application, null);
    }

    private static Node start(NodeConfig config, HttpHandler application, UpstreamApp upstream) throws Exception {
        return new Node(config, application, upstream).startServing();
    }

    private Node startServing() throws Exception {
        sessions.openDataDir();
        try {
            try {
                server.start();
            } catch (BindException e) {
                throw new StartupException("--http-port", Integer.toString(config.httpPort()),
                        "a free port on " + config.bind().getHostAddress() + ", but: " + e.getMessage());
            }
            cluster.join(List.of(sessions.caches(), DemandSharing.CACHES));
            sessions.start(cluster, scheduler);
        } catch (Exception | Error e) {
            server.stop();
            cluster.close();
            sessions.close();
            throw e;
        }
        cluster.onLeft(routing::peerLeft);
        new LoadReporter(self, cluster, events, scheduler).start();
        scheduler.scheduleWithFixedDelay(cluster::refreshHopKey, 1, 1, TimeUnit.SECONDS);
        rateLimiting.start(cluster, scheduler);
        LOG.info("node {} serving {} in cluster '{}' (discovery {}, capacity {})", config.name(), config.url(),
                config.cluster(), config.discovery(), config.capacity());
        started.countDown();
        return this;
    }

    /** The cluster's sessions as Undertow's session manager, e.g. for {@code Sessions.getOrCreateSession}. */
    public ClusteredSessionManager sessions() {
        return sessions.manager();
    }

    public String name() {
        return config.name();
    }

    public ClusterEvents events() {
        return events;
    }

    /** The cluster as this node sees it now. */
    public ClusterView view() {
        return cluster.view(self.report());
    }

    /** Whether this node should be sent traffic: joined, not leaving, and its application (an upstream) answers. */
    public boolean isReady() {
        return cluster.isJoined() && self.canServeHere();
    }

    /** Drains and stops this node on another thread, once it has started, as the drain call asks; returns at once. */
    public void closeInBackground() {
        Thread thread = new Thread(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }, "ballast-drain");
        thread.start();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Drains ({@link Drain}), stops the server, the forwards and the upstream, leaves the cluster, closes the data. */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        new Drain(config, self, cluster, events, server, edge).run();
        scheduler.shutdownNow();
        server.stop();
        routing.close();
        if (upstream != null) {
            upstream.close();
        }
        cluster.close();
        sessions.close();
        eventStream.close();
        LOG.info("node {} stopped", config.name());
        stopped.countDown();
    }
}
