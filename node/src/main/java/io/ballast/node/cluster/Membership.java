package io.ballast.node.cluster;

import io.ballast.node.config.ConfigException;
import io.ballast.node.config.NodeConfig;
import io.ballast.node.limit.SharedDemand;
import io.ballast.node.session.SessionCaches;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.Json;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import io.ballast.protocol.MemberView;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryRemoved;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
import org.infinispan.notifications.cachelistener.event.CacheEntryRemovedEvent;
import org.infinispan.notifications.cachemanagerlistener.annotation.Merged;
import org.infinispan.notifications.cachemanagerlistener.annotation.ViewChanged;
import org.infinispan.notifications.cachemanagerlistener.event.MergeEvent;
import org.infinispan.notifications.cachemanagerlistener.event.ViewChangedEvent;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.View;
import org.jgroups.util.NameCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's place in the cluster: the JGroups channel, the embedded Infinispan cache manager that runs on it, and
 * the replicated cache through which every member publishes its {@link LoadReport}.
 *
 * <p>The membership itself is JGroups' view; the report cache adds what the view does not carry (each member's HTTP
 * URL, state and load). A member whose reports stop arriving for {@link #STALE_AFTER_MS} ms, or whom failure detection
 * has suspected, is shown as {@link MemberState#SUSPECT} until the next view settles it.
 */
public final class Membership implements AutoCloseable {

    /** A report older than this marks its member {@link MemberState#SUSPECT} and out of the running for forwards. */
    public static final long STALE_AFTER_MS = 1_000;

    static final String REPORTS_CACHE = "ballast.reports";
    static final String SHARED_CACHE = "ballast.shared";
    private static final String HOP_KEY = "hop-key";

    /** How long a node waits for its name to be free before it gives up with exit status 2. */
    static final long NAME_TAKEN_WAIT_MS = 15_000;

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final NodeConfig config;
    private final JChannel channel;
    private final DefaultCacheManager manager;
    private final Cache<String, String> reports;
    private final Cache<String, String> shared;
    private volatile String hopKey;
    private volatile HopToken hopToken;
    private final LoadBoard board = new LoadBoard();
    private final ClusterEvents events;
    private final Map<Address, Long> suspected = new ConcurrentHashMap<>();
    private volatile Set<String> lastMembers = Set.of();

    private Membership(NodeConfig config, JChannel channel, DefaultCacheManager manager, ClusterEvents events) {
        this.config = config;
        this.channel = channel;
        this.manager = manager;
        this.events = events;
        this.reports = manager.getCache(REPORTS_CACHE);
        this.shared = manager.getCache(SHARED_CACHE);
        manager.getCache(SessionCaches.SESSIONS);
    }

    /**
     * Connects to the cluster named in {@code config} and waits for the reports of the members already there, and
     * for this node's share of the sessions.
     *
     * @param sessionBackupDir where this node keeps its copy of session data on disk ({@code --data-dir}), or empty
     * @throws ConfigException when another member of the cluster already uses this node's name
     */
    public static Membership join(NodeConfig config, ClusterEvents events, Optional<Path> sessionBackupDir)
            throws Exception {
        Suspicions suspicions = new Suspicions();
        JChannel channel = JGroupsStack.channel(config, new SuspectWatch(suspicions::suspect));
        ConfigurationBuilderHolder holder = new ConfigurationBuilderHolder();
        GlobalConfigurationBuilder global = holder.getGlobalConfigurationBuilder();
        global.transport().transport(new JGroupsTransport(channel))
                .clusterName(config.cluster())
                .nodeName(config.name());
        global.jmx().enabled(false);
        global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
        holder.newConfigurationBuilder(REPORTS_CACHE)
                .clustering().cacheMode(CacheMode.REPL_ASYNC)
                .stateTransfer().awaitInitialTransfer(true);
        holder.newConfigurationBuilder(SHARED_CACHE)
                .clustering().cacheMode(CacheMode.REPL_SYNC)
                .partitionHandling().mergePolicy(MergePolicy.PREFERRED_ALWAYS) // one hop key after a merge
                .stateTransfer().awaitInitialTransfer(true);
        holder.newConfigurationBuilder(SharedDemand.CACHE)
                .clustering().cacheMode(CacheMode.REPL_ASYNC)
                .stateTransfer().awaitInitialTransfer(true);
        SessionCaches.define(holder, config, sessionBackupDir);
        DefaultCacheManager manager = new DefaultCacheManager(holder, false);
        try {
            manager.start();
            Membership membership = new Membership(config, channel, manager, events);
            suspicions.target = membership;
            membership.start();
            return membership;
        } catch (Exception | Error e) {
            manager.stop();
            throw e;
        }
    }

    private void start() throws InterruptedException {
        awaitUniqueName();
        View view = channel.getView();
        reports.addListener(new ReportListener());
        reports.forEach((name, json) -> board.update(Json.read(json, LoadReport.class)));
        manager.addListener(new ViewListener());
        lastMembers = new HashSet<>(names(view));
        if (config.secret().isEmpty()) {
            hopToken(); // agreed on while joining: no request waits on the cluster for it (nor on a cut-off member)
        }
        LOG.info("joined cluster '{}' as {}: view {} {}", config.cluster(), config.name(),
                view.getViewId().getId(), names(view));
    }

    /**
     * Hop tokens under the key the members agreed on when the cluster formed: the first member to join makes a
     * random key and every later member reads it, while it joins. Used when the nodes run without {@code --secret}.
     * After a partition heals, the members converge on one side's key (the merge policy of {@value #SHARED_CACHE}).
     */
    public HopToken hopToken() {
        String key = shared.get(HOP_KEY);
        if (key == null) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            String mine = Base64.getEncoder().encodeToString(fresh);
            String theirs = shared.putIfAbsent(HOP_KEY, mine);
            key = theirs == null ? mine : theirs;
        }
        HopToken current = hopToken;
        if (current == null || !key.equals(hopKey)) {
            current = new HopToken(Base64.getDecoder().decode(key));
            hopToken = current;
            hopKey = key;
        }
        return current;
    }

    /**
     * Waits while another member of the view has this node's name: a process of this node that was just killed
     * stays in the view until failure detection removes it, a few seconds at most.
     *
     * @throws ConfigException when the name is still taken after {@link #NAME_TAKEN_WAIT_MS}
     */
    private void awaitUniqueName() throws InterruptedException {
        long deadline = System.nanoTime() + NAME_TAKEN_WAIT_MS * 1_000_000;
        while (true) {
            View view = channel.getView();
            long sameName = view.getMembers().stream().filter(a -> config.name().equals(nameOf(a))).count();
            if (sameName <= 1) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ConfigException("--name", config.name(), "a name that no other member of cluster '"
                        + config.cluster() + "' uses (members: " + names(view) + ")");
            }
            Thread.sleep(200);
        }
    }

    /**
     * A cache defined when this node joined, started on first use: the session caches of {@link SessionCaches}, and
     * the rate limit's {@link SharedDemand#CACHE}.
     *
     * @throws IllegalArgumentException when no cache of that name was defined
     */
    public Cache<String, String> cache(String name) {
        if (manager.getCacheConfiguration(name) == null) {
            throw new IllegalArgumentException("no cache '" + name + "' was defined");
        }
        return manager.getCache(name);
    }

    /** Tells every member this node's latest report, without waiting for them. */
    public void publish(LoadReport report) {
        board.update(report);
        reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES)
                .putAsync(report.name(), Json.write(report))
                .exceptionally(e -> {
                    LOG.debug("report not published: {}", e.toString());
                    return null;
                });
    }

    /**
     * Tells every member this node's report and returns once they all have it: for a change they must know before
     * this node acts on it, such as a drain.
     */
    public void publishAndWait(LoadReport report) {
        board.update(report);
        try {
            reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES, Flag.FORCE_SYNCHRONOUS)
                    .put(report.name(), Json.write(report));
        } catch (RuntimeException e) {
            LOG.warn("report not confirmed by every member: {}", e.toString());
        }
    }

    public String name() {
        return config.name();
    }

    public String cluster() {
        return config.cluster();
    }

    public LoadBoard board() {
        return board;
    }

    /**
     * The members this node may forward to now: in the view, not this node, not suspected, {@code UP}, able to serve
     * (their application answers), and with a report younger than {@link #STALE_AFTER_MS}.
     */
    public List<Peer> eligiblePeers() {
        View view = channel.getView();
        if (view == null) {
            return List.of();
        }
        long now = System.nanoTime();
        List<Peer> peers = new ArrayList<>(view.size());
        for (Address address : view.getMembers()) {
            String name = nameOf(address);
            if (name.equals(config.name())) {
                continue;
            }
            LoadBoard.Entry entry = board.get(name).orElse(null);
            if (stateOf(address, entry, now) == MemberState.UP && entry.report().ready()) {
                peers.add(new Peer(name, URI.create(entry.report().url()), entry));
            }
        }
        return peers;
    }

    /** The names of the members in this node's view now, this node included. */
    public Set<String> memberNames() {
        View view = channel.getView();
        return view == null ? Set.of(config.name()) : Set.copyOf(names(view));
    }

    /** How many members this node's view has now, this node included. */
    public int memberCount() {
        View view = channel.getView();
        return view == null ? 1 : view.size();
    }

    public boolean isCoordinator() {
        View view = channel.getView();
        return view != null && channel.getAddress() != null && channel.getAddress().equals(view.getCoord());
    }

    /**
     * The cluster as this node sees it now.
     *
     * @param self this node's current report, shown for itself with age 0
     */
    public ClusterView view(LoadReport self) {
        View view = channel.getView();
        long now = System.nanoTime();
        List<MemberView> members = new ArrayList<>();
        for (Address address : view.getMembers()) {
            String name = nameOf(address);
            if (name.equals(self.name())) {
                members.add(memberView(self, self.state(), 0));
                continue;
            }
            Optional<LoadBoard.Entry> entry = board.get(name);
            if (entry.isEmpty()) {
                // joined, but its first report is not here yet: not known to be serving
                members.add(new MemberView(name, null, MemberState.SUSPECT, 0, 0, 0, 0, 0, -1, 0));
                continue;
            }
            members.add(memberView(entry.get().report(), stateOf(address, entry.get(), now),
                    entry.get().ageMs(now)));
        }
        return new ClusterView(config.cluster(), config.name(), nameOf(view.getCoord()), view.getViewId().getId(),
                members);
    }

    /**
     * How this node sees a peer: {@code SUSPECT} while failure detection suspects it, or its report is missing or
     * older than {@link #STALE_AFTER_MS}; otherwise the state it reports.
     */
    private MemberState stateOf(Address address, LoadBoard.Entry entry, long nowNanos) {
        if (entry == null || suspected.containsKey(address) || entry.ageMs(nowNanos) > STALE_AFTER_MS) {
            return MemberState.SUSPECT;
        }
        return entry.report().state();
    }

    private static MemberView memberView(LoadReport report, MemberState state, long ageMs) {
        return new MemberView(report.name(), report.url(), state, report.inFlight(), report.capacity(),
                report.load(), report.served(), report.forwarded(), ageMs, report.sessions());
    }

    /** Leaves the cluster: peers drop this node from their view at once. */
    @Override
    public void close() {
        try {
            reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).remove(config.name());
        } catch (RuntimeException e) {
            LOG.debug("own report not removed: {}", e.toString());
        }
        manager.stop();
        LOG.info("left cluster '{}'", config.cluster());
    }

    private void onView(List<String> members, boolean merged) {
        Set<String> now = new HashSet<>(members);
        Set<String> before = lastMembers;
        lastMembers = now;
        suspected.keySet().removeIf(address -> !now.contains(nameOf(address)));
        for (String name : members) {
            if (!before.contains(name)) {
                events.publish(ClusterEvent.Type.JOINED, name, "view " + members);
            }
        }
        for (String name : before) {
            if (!now.contains(name)) {
                events.publish(ClusterEvent.Type.LEFT, name, "view " + members);
                board.remove(name);
            }
        }
        if (merged) {
            events.publish(ClusterEvent.Type.MERGED, config.name(), "view " + members);
        }
        if (isCoordinator()) {
            CompletableFuture.runAsync(() -> clearReportsOfGoneMembers(now));
        }
    }

    /** Reports of members that crashed stay in the cache: the coordinator clears them, off the view thread. */
    private void clearReportsOfGoneMembers(Set<String> members) {
        try {
            if (!reports.getStatus().allowInvocations()) {
                return;
            }
            for (String name : Set.copyOf(reports.keySet())) {
                if (!members.contains(name)) {
                    reports.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).removeAsync(name);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("reports of gone members not cleared: {}", e.toString());
        }
    }

    private void onSuspect(Iterable<Address> addresses) {
        View view = channel.getView();
        for (Address address : addresses) {
            if (view == null || !view.containsMember(address)) {
                continue; // already gone from the view: nothing left to suspect
            }
            if (suspected.put(address, System.nanoTime()) == null) {
                events.publish(ClusterEvent.Type.SUSPECTED, nameOf(address), "failure detection suspects it");
            }
        }
    }

    private static String nameOf(Address address) {
        if (address == null) {
            return null;
        }
        String name = NameCache.get(address);
        return name != null ? name : address.toString();
    }

    private static List<String> names(View view) {
        return view.getMembers().stream().map(Membership::nameOf).toList();
    }

    /** Bridges {@link SuspectWatch}, built before this object, to it. */
    private static final class Suspicions {
        volatile Membership target;

        void suspect(java.util.Collection<Address> addresses) {
            Membership membership = target;
            if (membership != null) {
                membership.onSuspect(addresses);
            }
        }
    }

    @Listener
    public final class ReportListener {
        @CacheEntryCreated
        @CacheEntryModified
        public void onReport(CacheEntryEvent<String, String> event) {
            if (event.isPre() || event.getValue() == null || config.name().equals(event.getKey())) {
                return;
            }
            LoadReport report;
            try {
                report = Json.read(event.getValue(), LoadReport.class);
            } catch (IllegalArgumentException e) {
                LOG.warn("ignored a report from {} that is not one: {}", event.getKey(), e.getMessage());
                return;
            }
            boolean wasDraining = board.get(report.name())
                    .map(entry -> entry.report().state() == MemberState.DRAINING).orElse(false);
            board.update(report);
            if (report.state() == MemberState.DRAINING && !wasDraining) {
                events.publish(ClusterEvent.Type.DRAINING, report.name(), "it finishes what it has, then leaves");
            }
        }

        @CacheEntryRemoved
        public void onRemoved(CacheEntryRemovedEvent<String, String> event) {
            if (!event.isPre() && !config.name().equals(event.getKey())) {
                board.remove(event.getKey());
            }
        }
    }

    @Listener
    public final class ViewListener {
        @ViewChanged
        public void onViewChanged(ViewChangedEvent event) {
            onView(names(channel.getView()), false);
        }

        @Merged
        public void onMerged(MergeEvent event) {
            onView(names(channel.getView()), true);
        }
    }
}
