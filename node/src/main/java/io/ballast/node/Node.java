package io.ballast.node;

import io.ballast.node.admin.AdminHandler;
import io.ballast.node.admin.DrainEndpoint;
import io.ballast.node.admin.EventStream;
import io.ballast.node.admin.NodeMetrics;
import io.ballast.node.cluster.ClusterEvent;
import io.ballast.node.cluster.ClusterEvents;
import io.ballast.node.cluster.Peer;
import io.ballast.node.cluster.Membership;
import io.ballast.node.config.ConfigException;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.demo.DemoApp;
import io.ballast.node.edge.ApplicationGuard;
import io.ballast.node.edge.BodyLimitHandler;
import io.ballast.node.edge.EdgeHandler;
import io.ballast.node.edge.HeaderLimitHandler;
import io.ballast.node.edge.HttpLimits;
import io.ballast.node.edge.HttpServer;
import io.ballast.node.edge.RecoveryHandler;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.forward.HopCheck;
import io.ballast.node.forward.PeerHealth;
import io.ballast.node.forward.RoutingHandler;
import io.ballast.node.forward.UpstreamApp;
import io.ballast.node.limit.ClientLimits;
import io.ballast.node.limit.RateLimitHandler;
import io.ballast.node.limit.SharedDemand;
import io.ballast.node.load.MeteringHandler;
import io.ballast.node.routing.Router;
import io.ballast.node.session.ClusteredSessionManager;
import io.ballast.node.session.DataDir;
import io.ballast.node.session.SessionCaches;
import io.ballast.node.session.SessionCookie;
import io.ballast.node.session.SessionHandler;
import io.ballast.node.session.SessionStore;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.random.RandomGenerator;

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

    /** How often a node counts the sessions it holds as primary owner, for its reports and metrics. */
    static final long SESSION_COUNT_INTERVAL_MS = 1_000;

    private static final long DRAIN_POLL_MS = 20;

    private static final Logger LOG = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final LoadMeter meter;
    private final ClusterEvents events = new ClusterEvents();
    private final EventStream eventStream = new EventStream();
    private final ScheduledExecutorService scheduler;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final HttpServer server;
    private final EdgeHandler edge;
    private final UpstreamApp upstream;
    private final NodeMetrics metrics;
    private final PeerHealth health = new PeerHealth();
    private final RoutingHandler routing;
    private final HopToken secretHopToken;
    private final ClusteredSessionManager sessions;
    /** Each client's buckets under {@code --rate-limit}, or null without one. */
    private final ClientLimits limits;
    private volatile SharedDemand sharedDemand;
    private volatile DataDir dataDir;
    /** Until the node has joined, no peer can have signed anything for it: a private random key rejects every token. */
    private final HopToken unjoinedHopToken = new HopToken(randomKey());
    private volatile Membership membership;
    private volatile MemberState state = MemberState.UP;
    /** Whether this node last announced itself overloaded; touched by the reporter thread only. */
    private boolean overloaded;

    private Node(NodeConfig config, HttpHandler application, UpstreamApp upstream) {
        this.config = config;
        events.subscribe(eventStream::publish);
        this.upstream = upstream;
        this.meter = new LoadMeter(config.capacity(), config.weight());
        this.sessions = new ClusteredSessionManager((int) config.sessionTimeout().toSeconds());
        this.metrics = new NodeMetrics(config.name(), meter, this::view, sessions::primaryOwnedCount);
        // an --upstream app keeps its own sessions (and the proxy to it its own time limit): only the demo app and
        // embedded handlers get the cluster's, and a guard
        HttpHandler served = upstream != null ? application : new ApplicationGuard(config.name(),
                config.requestTimeout(), new SessionHandler(sessions, new SessionCookie(config.sessionCookie()),
                application));
        this.secretHopToken = config.secret().map(Node::hopTokenFromSecret).orElse(null);
        this.limits = config.rateLimit().map(limit -> new ClientLimits(limit, REPORT_INTERVAL_MS / 1000.0))
                .orElse(null);
        if (limits != null) {
            metrics.rateLimits(limits);
        }
        this.routing = new RoutingHandler(config.name(), config.bind(), config.weight(), meter,
                new Router(config.balance(), config.strategy().create(RandomGenerator.getDefault())),
                this::eligiblePeers, health, this::hopTokens, this::reportForAnswer, this::learn,
                metrics::forwardCompleted,
                this::canServeHere, HttpLimits.forwardTimeoutMillis(config.requestTimeout()),
                new MeteringHandler(config.name(), meter, config.queueSize(), served));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "ballast-reporter");
            thread.setDaemon(true);
            return thread;
        });
        this.edge = chain();
        this.server = new HttpServer(new InetSocketAddress(config.bind(), config.httpPort()),
                HttpLimits.serverOptions(config), new RecoveryHandler(edge));
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
     * @throws ConfigException when a port is taken or the name is already used in the cluster
     */
    public static Node start(NodeConfig config, HttpHandler application) throws Exception {
        return start(config, application, null);
    }

    private static Node start(NodeConfig config, HttpHandler application, UpstreamApp upstream) throws Exception {
        Node node = new Node(config, application, upstream);
        node.startServing();
        return node;
    }

    /**
     * The handler chain every request goes through, outermost first (below {@link RecoveryHandler}, set in the
     * constructor): name the node and the request; refuse heads over the limits; answer operator endpoints here;
     * refuse bodies over the limit; tell a peer's forward from a client's request; count a client's request against
     * its rate limit; route it, here (within capacity) or to one peer. Served here: metering (capacity), then the
     * guard (request timeout), sessions and the application (built in the constructor, as the routing's local
     * handler).
     */
    private EdgeHandler chain() {
        HttpHandler admin = new AdminHandler(this::view, this::isReady, metrics::scrape, eventStream,
                new DrainEndpoint(config.secret(), this::closeInBackground));
        HttpHandler counted = limits == null ? routing : new RateLimitHandler(limits, this::memberCount, routing);
        HttpHandler clients = new HopCheck(config.name(), this::hopTokens, counted);
        PathHandler paths = new PathHandler(new BodyLimitHandler(config.maxBody(), clients))
                .addPrefixPath(AdminHandler.PREFIX, admin);
        return new EdgeHandler(config.name(), () -> state == MemberState.DRAINING, new HeaderLimitHandler(paths));
    }

    private void startServing() throws Exception {
        if (config.dataDir().isPresent()) {
            dataDir = DataDir.open(config.dataDir().get(), config.name());
        }
        try {
            server.start();
        } catch (BindException e) {
            closeDataDir();
            throw new ConfigException("--http-port", Integer.toString(config.httpPort()),
                    "a free port on " + config.bind().getHostAddress() + ", but: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            closeDataDir();
            throw e;
        }
        Membership joined = null;
        try {
            joined = Membership.join(config, events, Optional.ofNullable(dataDir).map(DataDir::path));
            startSessions(joined);
            membership = joined;
        } catch (Exception | Error e) {
            server.stop();
            if (joined != null) {
                joined.close();
            }
            closeDataDir();
            if (hasCause(e, BindException.class)) {
                throw new ConfigException("--cluster-port", Integer.toString(config.clusterPort()),
                        "a free port on " + config.bind().getHostAddress() + " (and port+100 for failure detection)");
            }
            throw e;
        }
        events.subscribe(event -> {
            if (event.type() == ClusterEvent.Type.LEFT) {
                routing.peerLeft(event.member());
            }
        });
        meter.onSharpChange(this::publishSoon);
        publish();
        scheduler.scheduleAtFixedRate(this::publishQuietly, REPORT_INTERVAL_MS, REPORT_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        if (limits != null) {
            sharedDemand = new SharedDemand(config.name(), membership.cache(SharedDemand.CACHE));
            scheduler.scheduleAtFixedRate(this::shareRateLimits, REPORT_INTERVAL_MS, REPORT_INTERVAL_MS,
                    TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(this::recountSessions, SESSION_COUNT_INTERVAL_MS, SESSION_COUNT_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        LOG.info("node {} serving {} in cluster '{}' (discovery {}, capacity {})", config.name(), config.url(),
                config.cluster(), config.discovery(), config.capacity());
        started.countDown();
    }

    /**
     * Connects the session manager to the cluster's sessions, after putting this node's disk backup (if any) back
     * into them: sessions the cluster lost, or holds an older copy of, come back before this node reports itself.
     */
    private void startSessions(Membership joined) {
        SessionStore store = new SessionStore(joined.cache(SessionCaches.SESSIONS),
                dataDir == null ? null : joined.cache(SessionCaches.BACKUP), (int) config.sessionTimeout().toSeconds());
        if (dataDir != null) {
            long start = System.nanoTime();
            SessionStore.Restored restored = store.restore();
            LOG.info("sessions from {}: {} restored, {} already current in the cluster, {} expired, {} unreadable, "
                            + "{} failed ({} ms)", dataDir.path(), restored.restored(), restored.current(),
                    restored.expired(), restored.unreadable(), restored.failed(),
                    (System.nanoTime() - start) / 1_000_000);
        }
        store.recount();
        store.logRebalances();
        sessions.attach(store);
    }

    /**
     * Moves the rate limit's demand window on, sets each client's share here from its demand here and at the
     * peers, and tells the peers this node's demand.
     */
    private void shareRateLimits() {
        try {
            Set<String> members = membership.memberNames();
            Map<String, Double> mine = limits.tick(sharedDemand.others(members), members.size());
            sharedDemand.publish(mine);
            if (membership.isCoordinator()) {
                sharedDemand.forgetAllBut(members);
            }
        } catch (RuntimeException e) {
            LOG.debug("rate-limit shares not updated: {}", e.toString());
        }
    }

    private int memberCount() {
        Membership current = membership;
        return current == null ? 1 : current.memberCount();
    }

    private void recountSessions() {
        try {
            sessions.recount();
        } catch (RuntimeException e) {
            LOG.debug("sessions not counted: {}", e.toString());
        }
    }

    private void closeDataDir() {
        DataDir current = dataDir;
        if (current != null) {
            current.close();
        }
    }

    /** The cluster's sessions as Undertow's session manager, e.g. for {@code Sessions.getOrCreateSession}. */
    public ClusteredSessionManager sessions() {
        return sessions;
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
            return new ClusterView(config.cluster(), config.name(), null, 0, List.of());
        }
        return current.view(self);
    }

    /**
     * Whether this node should be sent traffic: it has joined its cluster, is not leaving, and its application (when
     * it is an {@code --upstream}) answers.
     */
    public boolean isReady() {
        return membership != null && canServeHere();
    }

    /**
     * Whether this node serves requests itself: false while it drains, or while its upstream does not answer; it
     * then hands what it gets to its peers.
     */
    private boolean canServeHere() {
        return state == MemberState.UP && (upstream == null || upstream.isUp());
    }

    private List<Peer> eligiblePeers() {
        Membership current = membership;
        return current == null ? List.of() : current.eligiblePeers();
    }

    /** A peer's report read from its answer to a forward: fresher than any on the board. */
    private void learn(LoadReport report) {
        Membership current = membership;
        if (current != null && !report.name().equals(config.name())) {
            current.board().update(report);
        }
    }

    private HopToken hopTokens() {
        if (secretHopToken != null) {
            return secretHopToken;
        }
        Membership current = membership;
        return current == null ? unjoinedHopToken : current.hopToken();
    }

    private static HopToken hopTokenFromSecret(String secret) {
        try {
            byte[] key = MessageDigest.getInstance("SHA-256")
                    .digest(("ballast hop key\n" + secret).getBytes(StandardCharsets.UTF_8));
            return new HopToken(key);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private LoadReport report() {
        return meter.report(config.name(), config.url(), state, canServeHere(), sessions.primaryOwnedCount());
    }

    /** The report that goes back on the answer to a forwarded request: without that request, which is done. */
    private LoadReport reportForAnswer() {
        return meter.report(config.name(), config.url(), state, canServeHere(), sessions.primaryOwnedCount(), 1);
    }

    private void publish() {
        Membership current = membership;
        if (current != null) {
            current.publish(report());
        }
    }

    private final AtomicBoolean publishPending = new AtomicBoolean();

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

    private void publishQuietly() {
        try {
            publish();
            watchOverload();
        } catch (RuntimeException e) {
            LOG.debug("load report not published: {}", e.toString());
        }
    }

    /** Announces once when requests start to queue here (load 1 or more), and again only after load fell below 0.75. */
    private void watchOverload() {
        double load = meter.load();
        if (!overloaded && load >= 1.0) {
            overloaded = true;
            events.publish(ClusterEvent.Type.OVERLOADED, config.name(), meter.inFlight() + " requests in flight for "
                    + meter.capacity() + " slots: requests are queueing");
        } else if (overloaded && load < 0.75) {
            overloaded = false;
        }
    }

    /**
     * Drains and stops this node on another thread, as the drain call asks; returns at once. A node still starting
     * finishes its start first.
     */
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

    /**
     * Drains, then stops: the node shows {@code DRAINING} to its peers (who stop forwarding to it) and answers
     * 503 for readiness, hands new requests to its peers for one report interval, then refuses new connections and
     * closes each open one after its next answer, waits up to {@code --drain-timeout} for the requests in it to
     * finish, then stops serving and leaves the cluster.
     */
    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        drain();
        scheduler.shutdownNow();
        server.stop();
        routing.close();
        if (upstream != null) {
            upstream.close();
        }
        Membership current = membership;
        if (current != null) {
            try {
                current.close();
            } catch (RuntimeException e) {
                LOG.warn("leaving the cluster failed: {}", e.toString());
            }
        }
        closeDataDir();
        eventStream.close();
        LOG.info("node {} stopped", config.name());
        stopped.countDown();
    }

    private void drain() {
        state = MemberState.DRAINING;
        if (membership == null) {
            return;
        }
        events.publish(ClusterEvent.Type.DRAINING, config.name(), edge.active() + " requests in flight");
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        membership.publishAndWait(report());
        // A peer may have chosen this node just before it learned of the drain, and a client may still be on its way
        // here: for one report interval, requests are still taken (and handed on). Then new connections are refused,
        // and every answer from now on closes its connection, so what is open runs dry.
        sleepUntil(System.nanoTime() + REPORT_INTERVAL_MS * 1_000_000);
        server.stopAccepting();
        while (edge.active() > 0 && System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
            sleepUntil(System.nanoTime() + DRAIN_POLL_MS * 1_000_000);
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

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
