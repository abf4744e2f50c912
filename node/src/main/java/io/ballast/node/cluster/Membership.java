package io.ballast.node.cluster;

import io.ballast.node.config.NodeConfig;
import io.ballast.node.config.StartupException;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.HopToken;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;
import io.ballast.protocol.MemberView;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.context.Flag;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.notifications.Listener;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryCreated;
import org.infinispan.notifications.cachelistener.annotation.CacheEntryModified;
import org.infinispan.notifications.cachelistener.event.CacheEntryEvent;
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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's place in the cluster once it has joined: the JGroups channel, the embedded Infinispan cache manager that
 * runs on it with the {@link ReportCache} and the caches its callers defined, and the view. {@link Cluster} is the
 * node's face of it, before and after the join.
 *
 * <p>The membership itself is JGroups' view; the report cache adds what the view does not carry (each member's HTTP
 * URL, state and load). A member whose reports stop arriving for {@link #STALE_AFTER_MS} ms, or whom failure detection
 * has suspected, is shown as {@link MemberState#SUSPECT} until the next view settles it.
 */
public final class Membership implements AutoCloseable {

    /** A report older than this marks its member {@link MemberState#SUSPECT} and out of the running for forwards. */
    public static final long STALE_AFTER_MS = 1_000;

    static final String SHARED_CACHE = "ballast.shared";
    private static final String HOP_KEY = "hop-key";
    /** Each member's entry under this prefix names the hop key it uses now, by {@link #keyId}. */
    private static final String KEY_IN_USE = "hop-key-in-use/";

    /** How long a node waits for its name to be free before it gives up with exit status 2. */
    static final long NAME_TAKEN_WAIT_MS = 15_000;

    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final NodeConfig config;
    private final JChannel channel;
    private final DefaultCacheManager manager;
    private final ReportCache reports;
    private final Cache<String, String> shared;
    /** The hop key the members agreed on, and its signer: read on every forward, so held here, never in the cache. */
    private volatile AgreedKey hopKey;
    /** Which hop key each member uses, by {@link #keyId}: a forward goes only to a peer that checks this node's. */
    private final Map<String, String> keysInUse = new ConcurrentHashMap<>();
    private final LoadBoard board = new LoadBoard();
    private final ClusterEvents events;
    private final Map<Address, Long> suspected = new ConcurrentHashMap<>();
    private volatile Set<String> lastMembers = Set.of();

    private Membership(NodeConfig config, JChannel channel, DefaultCacheManager manager, ClusterEvents events) {
        this.config = config;
        this.channel = channel;
        this.manager = manager;
        this.events = events;
        this.reports = new ReportCache(config.name(), manager.getCache(ReportCache.NAME), board, events);
        this.shared = manager.getCache(SHARED_CACHE);
        TransportStats.startCounting(channel.getProtocolStack().getTransport());
    }

    /**
     * Connects to the cluster named in {@code config} and waits for the reports of the members already there, and
     * for this node's share of the caches that {@code definitions} start on joining.
     *
     * @throws StartupException when another member of the cluster already uses this node's name
     */
    static Membership join(NodeConfig config, ClusterEvents events, List<CacheDefinitions> definitions)
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
        ReportCache.define(holder);
        holder.newConfigurationBuilder(SHARED_CACHE)
                .clustering().cacheMode(CacheMode.REPL_SYNC)
                .partitionHandling().mergePolicy(MergePolicy.PREFERRED_ALWAYS) // one hop key after a merge
                .stateTransfer().awaitInitialTransfer(true);
        definitions.forEach(definition -> definition.define(holder));
        DefaultCacheManager manager = new DefaultCacheManager(holder, false);
        try {
            manager.start();
            Membership membership = new Membership(config, channel, manager, events);
            definitions.forEach(definition -> definition.startOnJoin().forEach(manager::getCache));
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
        reports.start();
        if (config.secret().isEmpty()) {
            shared.addListener(new HopKeyListener());
            agreeOnHopKey(); // while joining: no request waits on the cluster for it (nor on a cut-off member)
            refreshHopKey();
        }
        manager.addListener(new ViewListener());
        lastMembers = new HashSet<>(names(view));
        LOG.info("joined cluster '{}' as {}: view {} {}", config.cluster(), config.name(),
                view.getViewId().getId(), names(view));
    }

    private record AgreedKey(String encoded, String id, HopToken signer) {
    }

    /**
     * Hop tokens under the key the members agreed on when the cluster formed: the first member to join makes a random
     * key and every later member reads it. Used when the nodes run without {@code --secret}; held in memory, and
     * replaced when the cache says the cluster's key has changed (after a partition heals, the members converge on
     * one side's key). While a peer says it uses another key ({@link #keysInUse}), nothing is forwarded to it: its
     * check would fail, and it would take the forward for a client's request.
     */
    HopToken hopToken() {
        return hopKey.signer();
    }

    private void agreeOnHopKey() {
        String key = shared.get(HOP_KEY);
        if (key == null) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            String mine = Base64.getEncoder().encodeToString(fresh);
            String theirs = shared.putIfAbsent(HOP_KEY, mine);
            key = theirs == null ? mine : theirs;
        }
        useHopKey(key);
    }

    private void useHopKey(String key) {
        AgreedKey current = hopKey;
        if (current == null || !current.encoded().equals(key)) {
            AgreedKey agreed = new AgreedKey(key, keyId(key), new HopToken(Base64.getDecoder().decode(key)));
            hopKey = agreed;
            keysInUse.put(config.name(), agreed.id());
            announceKeyInUse(agreed.id());
        }
    }

    private void announceKeyInUse(String id) {
        shared.getAdvancedCache().withFlags(Flag.IGNORE_RETURN_VALUES).putAsync(KEY_IN_USE + config.name(), id)
                .exceptionally(e -> {
                    LOG.debug("hop key in use not published: {}", e.toString());
                    return null;
                });
    }

    /** Names a hop key without giving it away: the first 96 bits of SHA-256 over it. */
    private static String keyId(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Whether {@code peer} checks hop tokens under this node's key, as far as this node knows: always with
     * {@code --secret}; false only once the peer has announced another key (a peer that has just joined may not have
     * announced one yet, and it took the cluster's key as it joined).
     */
    private boolean agreesOnHopKey(String peer) {
        AgreedKey mine = hopKey;
        String theirs = keysInUse.get(peer);
        return mine == null || theirs == null || mine.id().equals(theirs);
    }

    /**
     * Reads the cluster's hop key again, off the request path: a merge may have settled on the other side's. Run at
     * each view change, and every second by the node.
     */
    void refreshHopKey() {
        try {
            agreeOnHopKey();
            String mine = hopKey.id();
            Map<String, String> inUse = new HashMap<>();
            shared.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL).forEach((key, value) -> {
                if (key.startsWith(KEY_IN_USE)) {
                    inUse.put(key.substring(KEY_IN_USE.length()), value);
                }
            });
            if (!mine.equals(inUse.get(config.name()))) {
                announceKeyInUse(mine); // a merge may have kept the other side's copy of this node's entry
            }
            inUse.put(config.name(), mine);
            inUse.keySet().retainAll(memberNames());
            keysInUse.keySet().retainAll(inUse.keySet());
            keysInUse.putAll(inUse);
        } catch (RuntimeException e) {
            LOG.debug("hop key not read again: {}", e.toString());
        }
    }

    /**
     * Waits while another member of the view has this node's name: a process of this node that was just killed
     * stays in the view until failure detection removes it, a few seconds at most.
     *
     * @throws StartupException when the name is still taken after {@link #NAME_TAKEN_WAIT_MS}
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
                throw new StartupException("--name", config.name(), "a name that no other member of cluster '"
                        + config.cluster() + "' uses (members: " + names(view) + ")");
            }
            Thread.sleep(200);
        }
    }

    /**
     * A cache that one of the {@link CacheDefinitions} given to {@link #join} defined, started on first use.
     *
     * @throws IllegalArgumentException when no cache of that name was defined
     */
    Cache<String, String> cache(String name) {
        if (manager.getCacheConfiguration(name) == null) {
            throw new IllegalArgumentException("no cache '" + name + "' was defined");
        }
        return manager.getCache(name);
    }

    ReportCache reports() {
        return reports;
    }

    /** What this node's transport has sent and received so far, for the metrics. */
    TransportStats transportStats() {
        return TransportStats.of(channel.getProtocolStack().getTransport());
    }

    LoadBoard board() {
        return board;
    }

    /**
     * The members this node may forward to now: in the view, not this node, not suspected, {@code UP}, able to serve
     * (their application answers), and with a report younger than {@link #STALE_AFTER_MS}.
     */
    List<Peer> eligiblePeers() {
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
            if (stateOf(address, entry, now) == MemberState.UP && entry.report().ready() && agreesOnHopKey(name)) {
                peers.add(new Peer(name, URI.create(entry.report().url()), entry));
            }
        }
        return peers;
    }

    /** The names of the members in this node's view now, this node included. */
    Set<String> memberNames() {
        View view = channel.getView();
        return view == null ? Set.of(config.name()) : Set.copyOf(names(view));
    }

    /** How many members this node's view has now, this node included. */
    int memberCount() {
        View view = channel.getView();
        return view == null ? 1 : view.size();
    }

    boolean isCoordinator() {
        View view = channel.getView();
        return view != null && channel.getAddress() != null && channel.getAddress().equals(view.getCoord());
    }

    /**
     * The cluster as this node sees it now.
     *
     * @param self this node's current report, shown for itself with age 0
     */
    ClusterView view(LoadReport self) {
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
                members.add(new MemberView(name, null, MemberState.SUSPECT, 0, 0, 0, 0, 0, -1, 0, 0, Map.of()));
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
                report.load(), report.served(), report.forwarded(), ageMs, report.sessions(), report.latencyMs(),
                report.forwardedTo());
    }

    /** Leaves the cluster: peers drop this node from their view at once. */
    @Override
    public void close() {
        reports.withdraw();
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
            CompletableFuture.runAsync(() -> reports.clearAllBut(now));
        }
        if (config.secret().isEmpty()) {
            CompletableFuture.runAsync(this::refreshHopKey);
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

        void suspect(Collection<Address> addresses) {
            Membership membership = target;
            if (membership != null) {
                membership.onSuspect(addresses);
            }
        }
    }

    @Listener
    public final class HopKeyListener {
        @CacheEntryCreated
        @CacheEntryModified
        public void onHopKey(CacheEntryEvent<String, String> event) {
            if (event.isPre() || event.getValue() == null) {
                return;
            }
            if (HOP_KEY.equals(event.getKey())) {
                useHopKey(event.getValue());
            } else if (event.getKey().startsWith(KEY_IN_USE)) {
                keysInUse.put(event.getKey().substring(KEY_IN_USE.length()), event.getValue());
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
