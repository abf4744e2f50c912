package io.ballast.it.harness;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hosts for one test: each node in a Linux network namespace of its own, with its own address, on a bridge made for
 * this test, so that nodes meet as on separate machines (multicast included) and a link between two of them can be
 * cut and healed. The test itself, in the root namespace, reaches every node over the bridge.
 *
 * <ul>
 *   <li>The bridge {@code bb<id>} holds {@code 10.A.B.1/24}, a block picked at random among those that no route or
 *       address of the machine touches; host {@code n} gets {@code 10.A.B.n} on its end of a veth pair
 *       ({@code vn<id>-<n>} in namespace {@code ballast-<id>-<n>}, {@code vh<id>-<n>} on the bridge). A namespace has
 *       only its loopback, that block, and a route for multicast ({@code 224.0.0.0/4}) on its veth: no default route,
 *       so nothing it sends can leave the bridge. The bridge passes multicast to every port (no snooping).</li>
 *   <li>{@link #cut} adds a blackhole route for the other's address in each of the two namespaces; {@link #heal}
 *       deletes them. Every namespace filters by reverse path ({@code rp_filter} 1), so a host also drops what comes
 *       from an address it has a blackhole route for: multicast from the other side of a cut, which no route of the
 *       sender's would stop, is dropped too.</li>
 *   <li>Nodes run under {@code ip netns exec} (a {@link NodeSpec#host() host} in their spec), and are laid out,
 *       started, waited on and stopped by this test's {@link #cluster() TestCluster}. Every node listens on port
 *       {@value #HTTP_PORT} and cluster port {@value #CLUSTER_PORT} of its own host, as on real machines.</li>
 * </ul>
 *
 * <p>As a JUnit 5 extension on an instance field it lives for one test method: it skips the test when namespaces
 * cannot be made ({@link NetNamespaces#assumeUsable()}), and afterwards stops the nodes, then removes every
 * namespace, veth, route and the bridge, pass or fail (and a shutdown hook does so if the run is cut short).
 */
public final class TestHosts implements BeforeEachCallback, AfterEachCallback {

    public static final int HTTP_PORT = 8080;
    public static final int CLUSTER_PORT = 7800;

    /** An IPv4 address or prefix in {@code ip}'s output: four octets, and a length after a slash. */
    private static final Pattern IPV4 = Pattern.compile(
            "\\b(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(/\\d{1,2})?\\b");
    private static final int BLOCK_ATTEMPTS = 100;

    /** One host: its namespace, its address on the bridge, and the name of its end of the veth pair. */
    public record Host(String namespace, String address, String veth) {
    }

    /** A cut link between two hosts (in either order), as the blackhole routes that make it. */
    private record Cut(Host a, Host b) {
        static Cut between(Host x, Host y) {
            return x.namespace().compareTo(y.namespace()) < 0 ? new Cut(x, y) : new Cut(y, x);
        }

        /** {@code ip} arguments that add ({@code verb} "add") or delete ("del") both routes. */
        List<List<String>> routes(String verb) {
            return List.of(List.of("-n", a.namespace(), "route", verb, "blackhole", b.address() + "/32"),
                    List.of("-n", b.namespace(), "route", verb, "blackhole", a.address() + "/32"));
        }

        @Override
        public String toString() {
            return a.address() + " x " + b.address();
        }
    }

    private final TestCluster cluster = new TestCluster();
    private final String id = newId();
    private final List<Host> hosts = new CopyOnWriteArrayList<>();
    private final Set<Cut> cuts = new LinkedHashSet<>();
    private boolean inTest;
    private String bridge;
    private String prefix;
    private int nextHost = 2;
    private int nextNodeNumber = 1;

    private static String newId() {
        byte[] bytes = new byte[3];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    // ---- JUnit lifecycle ---------------------------------------------------------------------------------------

    @Override
    public void beforeEach(ExtensionContext context) {
        NetNamespaces.assumeUsable();
        cluster.beforeEach(context);
        inTest = true;
        makeBridge();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (inTest) { // not when the test was skipped before it began
                cluster.afterEach(context);
            }
        } finally {
            inTest = false;
            removeNetwork();
        }
    }

    // ---- the network -------------------------------------------------------------------------------------------

    private synchronized void makeBridge() {
        prefix = freeBlock();
        String name = "bb" + id;
        NetNamespaces.make(List.of("link", "add", name, "type", "bridge", "mcast_snooping", "0"),
                List.of("link", "del", name));
        bridge = name;
        NetNamespaces.ip("addr", "add", prefix + "1/24", "dev", bridge);
        NetNamespaces.ip("link", "set", bridge, "up");
    }

    /** {@code 10.A.B.} for a block {@code 10.A.B.0/24} that no route or address of the root namespace overlaps. */
    private static String freeBlock() {
        String routes = NetNamespaces.ip("-4", "-o", "route", "show", "table", "all")
                + NetNamespaces.ip("-4", "-o", "addr", "show");
        List<long[]> taken = new ArrayList<>(); // {network, prefix length}
        Matcher matcher = IPV4.matcher(routes);
        while (matcher.find()) {
            long address = 0;
            for (int i = 1; i <= 4; i++) {
                address = address << 8 | Integer.parseInt(matcher.group(i));
            }
            int length = matcher.group(5) == null ? 32 : Integer.parseInt(matcher.group(5).substring(1));
            if (length > 0) { // a default route (0.0.0.0/0) leads off the machine, not onto our bridge
                taken.add(new long[] {address, length});
            }
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < BLOCK_ATTEMPTS; attempt++) {
            int a = random.nextInt(0, 256);
            int b = random.nextInt(0, 256);
            long block = 10L << 24 | (long) a << 16 | (long) b << 8;
            if (taken.stream().noneMatch(t -> overlaps(block, 24, t[0], (int) t[1]))) {
                return "10." + a + "." + b + ".";
            }
        }
        throw new IllegalStateException("no free 10.A.B.0/24 block after " + BLOCK_ATTEMPTS + " attempts; routes and "
                + "addresses:\n" + routes);
    }

    private static boolean overlaps(long a, int aLength, long b, int bLength) {
        int shorter = Math.min(aLength, bLength);
        long mask = shorter == 0 ? 0 : (0xFFFFFFFFL << (32 - shorter)) & 0xFFFFFFFFL;
        return (a & mask) == (b & mask);
    }

    /** A new host on this test's bridge: a namespace with its own address, reached from here. */
    public synchronized Host newHost() {
        if (bridge == null) {
            throw new IllegalStateException("no bridge: use TestHosts as a JUnit extension (@RegisterExtension)");
        }
        if (nextHost > 254) {
            throw new IllegalStateException("all addresses of " + prefix + "0/24 handed out");
        }
        int n = nextHost++;
        Host host = new Host("ballast-" + id + "-" + n, prefix + n, "vn" + id + "-" + n);
        String hostSide = "vh" + id + "-" + n;
        NetNamespaces.make(List.of("netns", "add", host.namespace()), List.of("netns", "del", host.namespace()));
        hosts.add(host);
        // deleting the namespace deletes its end of the pair, and with it the other end
        NetNamespaces.ip("link", "add", hostSide, "type", "veth", "peer", "name", host.veth(), "netns",
                host.namespace());
        NetNamespaces.ip("link", "set", hostSide, "master", bridge);
        NetNamespaces.ip("link", "set", hostSide, "up");
        NetNamespaces.ip("-n", host.namespace(), "link", "set", "lo", "up");
        NetNamespaces.ip("-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", host.veth());
        NetNamespaces.ip("-n", host.namespace(), "link", "set", host.veth(), "up");
        NetNamespaces.ip("-n", host.namespace(), "route", "add", "224.0.0.0/4", "dev", host.veth());
        NetNamespaces.exec(host.namespace(), "sh", "-c", "echo 1 > /proc/sys/net/ipv4/conf/all/rp_filter");
        checkStaysOnTheBridge(host);
        return host;
    }

    /** Fails unless every route of {@code host} leads onto this test's block or is the multicast one. */
    private void checkStaysOnTheBridge(Host host) {
        String routes = NetNamespaces.ip("-n", host.namespace(), "-4", "-o", "route", "show");
        for (String route : routes.strip().split("\n")) {
            if (!route.startsWith(prefix + "0/24 ") && !route.startsWith("224.0.0.0/4 ")) {
                throw new IllegalStateException("namespace " + host.namespace() + " has a route off the test's bridge: "
                        + route + "\nall its routes:\n" + routes);
            }
        }
    }

    /** Cuts the link between the hosts of {@code a} and {@code b}: neither reaches the other, both reach the test. */
    public synchronized void cut(NodeProcess a, NodeProcess b) {
        Cut cut = Cut.between(hostOf(a), hostOf(b));
        if (!cuts.add(cut)) {
            throw new IllegalStateException("already cut: " + cut);
        }
        List<List<String>> add = cut.routes("add");
        List<List<String>> del = cut.routes("del");
        for (int i = 0; i < add.size(); i++) {
            NetNamespaces.make(add.get(i), del.get(i));
        }
    }

    /** Heals a link {@link #cut} before. */
    public synchronized void heal(NodeProcess a, NodeProcess b) {
        Cut cut = Cut.between(hostOf(a), hostOf(b));
        if (!cuts.remove(cut)) {
            throw new IllegalStateException("not cut: " + cut);
        }
        cut.routes("del").forEach(NetNamespaces::undo);
    }

    /** Cuts {@code node} off from every one of {@code others}. */
    public void isolate(NodeProcess node, Collection<NodeProcess> others) {
        others.forEach(other -> cut(node, other));
    }

    /** Heals the links {@link #isolate} cut. */
    public void reconnect(NodeProcess node, Collection<NodeProcess> others) {
        others.forEach(other -> heal(node, other));
    }

    private Host hostOf(NodeProcess node) {
        String namespace = node.spec().host();
        return hosts.stream().filter(host -> host.namespace().equals(namespace)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(node.name() + " runs on no host of this test"));
    }

    // ---- nodes -------------------------------------------------------------------------------------------------

    /** This test's nodes: {@link TestCluster#start start}, {@link TestCluster#awaitOneView await}, describe. */
    public TestCluster cluster() {
        return cluster;
    }

    /** A node named {@code n1}, {@code n2}, … on a new host of its own, in this test's cluster; no discovery set. */
    public NodeSpec newNode() {
        Host host = newHost();
        String name;
        synchronized (this) {
            name = "n" + nextNodeNumber++;
        }
        return new NodeSpec(name, host.address(), HTTP_PORT, CLUSTER_PORT, cluster.name(), null, List.of())
                .withHost(host.namespace());
    }

    /** {@code count} new nodes, each on a host of its own. */
    public List<NodeSpec> newNodes(int count) {
        List<NodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(newNode());
        }
        return specs;
    }

    /** An {@link Await} whose failure message shows the cut links and every node's view and log. */
    public Await await(Duration limit) {
        return Await.atMost(limit).describing(this::describe);
    }

    /** The cut links, then {@link TestCluster#describe()}. */
    public synchronized String describe() {
        return "bridge " + bridge + " (" + prefix + "0/24), cut links: " + (cuts.isEmpty() ? "none" : cuts) + "\n"
                + cluster.describe();
    }

    // ---- stopping ----------------------------------------------------------------------------------------------

    /** Removes every route, namespace (with its veth pair) and the bridge this test made. Safe to call twice. */
    private synchronized void removeNetwork() {
        for (Cut cut : cuts) {
            cut.routes("del").forEach(NetNamespaces::undo);
        }
        cuts.clear();
        for (Host host : hosts) {
            NetNamespaces.undo(List.of("netns", "del", host.namespace()));
        }
        hosts.clear();
        if (bridge != null) {
            NetNamespaces.undo(List.of("link", "del", bridge));
            bridge = null;
        }
    }
}
