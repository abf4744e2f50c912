package io.ballast.it.harness;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Nodes for one test, laid out so that nothing collides with another test, another run, or processes left over
 * from a crashed one: a fresh cluster name ({@code it-} and random hex), a random block of loopback addresses
 * {@code 127.A.B.0/24} handing each node its own address from {@code .2} up, and ports found free by binding them.
 * Everything it starts (nodes, DNS servers) is stopped in {@link #close()}.
 *
 * <p>As a JUnit 5 extension on an instance field it lives for one test method and closes after it, pass or fail:
 * <pre>{@code
 * @RegisterExtension
 * final TestCluster cluster = new TestCluster();
 *
 * @Test
 * void someRule() {
 *     List<NodeProcess> nodes = cluster.startStatic(3);
 *     cluster.awaitOneView(Duration.ofSeconds(10), nodes);
 * }
 * }</pre>
 * On a static field it lives for the whole class (start the nodes in {@code @BeforeAll}); nodes that a test method
 * starts on top are stopped after that method. Without JUnit, construct it with a log directory and use
 * try-with-resources.
 *
 * <p>Logs: {@code <ballast.logs>/<test class>/<test method>/<node>.log} (class-wide nodes under
 * {@code <test class>/shared/}); a DNS server's queries show in {@link #describe()}.
 */
public final class TestCluster implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        AutoCloseable {

    /** The system property naming the directory for node logs; failsafe sets it to target/node-logs. */
    public static final String LOGS_PROPERTY = "ballast.logs";

    /** How many log lines of each node {@link #describe()} shows. */
    public static final int DESCRIBED_LOG_LINES = 30;

    private final String clusterName = newClusterName();
    private final String addressPrefix;
    private final FreePorts ports = new FreePorts();
    private final List<NodeProcess> nodes = new CopyOnWriteArrayList<>();
    private final List<NodeProcess> methodNodes = new CopyOnWriteArrayList<>();
    private final List<DnsServer> dnsServers = new CopyOnWriteArrayList<>();
    private int nextHost = 2;
    private int nextNodeNumber = 1;
    private boolean classScoped;
    private boolean inMethod;
    private Path logDir;

    /** For use as a JUnit extension: the log directory follows the test class and method. */
    public TestCluster() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.addressPrefix = "127." + random.nextInt(10, 251) + "." + random.nextInt(1, 251) + ".";
    }

    /** For use without JUnit: logs go to {@code logDir}. */
    public TestCluster(Path logDir) {
        this();
        useLogDir(logDir);
    }

    /** A fresh cluster name, {@code it-} and 8 random hex digits: for tests that need more than one cluster. */
    public static String newClusterName() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return "it-" + HexFormat.of().formatHex(bytes);
    }

    // ---- JUnit lifecycle ---------------------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) {
        classScoped = true;
        useLogDir(logRoot().resolve(context.getRequiredTestClass().getSimpleName()).resolve("shared"));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        inMethod = true;
        if (!classScoped) {
            useLogDir(logRoot().resolve(context.getRequiredTestClass().getSimpleName())
                    .resolve(context.getRequiredTestMethod().getName()));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        inMethod = false;
        // a skipped test (TestAbortedException) did not fail: nothing to look up in the logs
        if (context.getExecutionException().filter(e -> !(e instanceof TestAbortedException)).isPresent()) {
            System.err.println("[ballast-it] " + context.getDisplayName() + " failed; node logs in "
                    + logDir.toAbsolutePath());
        }
        if (classScoped) {
            stop(List.copyOf(methodNodes));
            methodNodes.clear();
        } else {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** The directory named by {@value #LOGS_PROPERTY}, or {@code target/node-logs}. */
    public static Path logRoot() {
        return Path.of(System.getProperty(LOGS_PROPERTY, "target/node-logs"));
    }

    private void useLogDir(Path dir) {
        deleteRecursively(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        logDir = dir;
    }

    // ---- laying nodes out --------------------------------------------------------------------------------------

    /** This test's cluster name, given to every node from {@link #newNode()}. */
    public String name() {
        return clusterName;
    }

    /** The next unused loopback address of this test's block: 127.A.B.2, then .3, … */
    public synchronized String newAddress() {
        if (nextHost > 254) {
            throw new IllegalStateException("all addresses of " + addressPrefix + "0/24 handed out");
        }
        return addressPrefix + nextHost++;
    }

    /** A node named {@code n1}, {@code n2}, … on its own address with free ports, in this test's cluster. */
    public NodeSpec newNode() {
        String name;
        synchronized (this) {
            name = "n" + nextNodeNumber++;
        }
        return newNode(name);
    }

    /** A node named {@code name} on its own address with free ports, in this test's cluster; no discovery set. */
    public NodeSpec newNode(String name) {
        String address = newAddress();
        return new NodeSpec(name, address, ports.tcp(address), ports.cluster(List.of(address)), clusterName, null,
                List.of());
    }

    /** {@code count} new nodes, each on its own address and cluster port. */
    public List<NodeSpec> newNodes(int count) {
        List<NodeSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(newNode());
        }
        return specs;
    }

    /** {@code count} new nodes on their own addresses and one shared cluster port, as DNS discovery needs. */
    public List<NodeSpec> newNodesSharingClusterPort(int count) {
        List<NodeSpec> specs = newNodes(count);
        int shared = ports.cluster(specs.stream().map(NodeSpec::bind).toList());
        return specs.stream().map(spec -> spec.withClusterPort(shared)).toList();
    }

    /** The free-port source of this test, for anything else that needs to listen (an upstream app, a proxy). */
    public FreePorts ports() {
        return ports;
    }

    // ---- starting --------------------------------------------------------------------------------------------

    /** Starts one node (it logs to {@code <log dir>/<name>.log}) and returns at once. */
    public NodeProcess start(NodeSpec spec) {
        if (logDir == null) {
            useLogDir(logRoot().resolve("unnamed"));
        }
        NodeProcess node = NodeProcess.start(spec, logDir.resolve(spec.name() + ".log"));
        nodes.add(node);
        if (classScoped && inMethod) {
            methodNodes.add(node);
        }
        return node;
    }

    /** Starts every node in {@code specs}, without waiting for any of them. */
    public List<NodeProcess> startAll(List<NodeSpec> specs) {
        return specs.stream().map(this::start).toList();
    }

    /** Starts {@code count} new nodes whose {@code static:} discovery lists all of them. */
    public List<NodeProcess> startStatic(int count) {
        List<NodeSpec> specs = newNodes(count);
        String discovery = NodeSpec.staticDiscovery(specs);
        return startAll(specs.stream().map(spec -> spec.withDiscovery(discovery)).toList());
    }

    /**
     * Starts {@code count} new nodes on one cluster port that find each other through DNS: a DNS server of this
     * test ({@link #dns()}) answers {@link #dnsName()} with the address of every one of them.
     */
    public List<NodeProcess> startDns(int count) {
        List<NodeSpec> specs = newNodesSharingClusterPort(count);
        DnsServer dns = startDnsServer(Map.of(dnsName(), specs.stream().map(NodeSpec::bind).toList()));
        return startAll(specs.stream().map(spec -> spec.withDiscovery(dns.discovery(dnsName()))).toList());
    }

    /** The name that {@link #startDns} makes resolve to its nodes: {@code nodes.<cluster name>.test}. */
    public String dnsName() {
        return "nodes." + clusterName + ".test";
    }

    /** The DNS server started last by {@link #startDns} or {@link #startDnsServer}. */
    public DnsServer dns() {
        if (dnsServers.isEmpty()) {
            throw new IllegalStateException("no DNS server started in cluster " + clusterName);
        }
        return dnsServers.get(dnsServers.size() - 1);
    }

    /** Starts a DNS server that answers {@code aRecords} (more can be set on it later); stopped with this cluster. */
    public DnsServer startDnsServer(Map<String, List<String>> aRecords) {
        DnsServer dns = DnsServer.start(ports);
        dnsServers.add(dns);
        aRecords.forEach(dns::setA);
        return dns;
    }

    /** Every node this cluster has started, in start order, running or not. */
    public List<NodeProcess> nodes() {
        return List.copyOf(nodes);
    }

    public Path logDir() {
        return logDir;
    }

    // ---- waiting -----------------------------------------------------------------------------------------------

    /** An {@link Await} whose failure message describes this cluster. */
    public Await await(Duration limit) {
        return Await.atMost(limit).describing(this::describe);
    }

    /** An {@link Await#during} whose failure message describes this cluster. */
    public Await during(Duration period) {
        return Await.during(period).describing(this::describe);
    }

    /**
     * Waits until every one of {@code nodes} answers {@code /_ballast/health/live} with 200, which a node does as
     * soon as its HTTP server is up (before it has joined its cluster), and returns how long that took.
     */
    public Duration awaitLive(Duration limit, List<NodeProcess> nodes) {
        return await(limit).until("every one of " + Views.namesOf(nodes) + " answers /_ballast/health/live",
                () -> nodes.stream().allMatch(node -> node.get("/_ballast/health/live").statusCode() == 200));
    }

    /**
     * Waits until every node of {@code members} reports the same view, of exactly {@code members}, all UP with
     * their URLs, and returns how long that took.
     */
    public Duration awaitOneView(Duration limit, List<NodeProcess> members) {
        return await(limit).until("every one of " + Views.namesOf(members) + " reports one view of exactly them, "
                + "all UP with their URLs", () -> Views.agree(members, members));
    }

    /**
     * Each node this cluster started: its address, process state, its view as it reports it (or why it does not),
     * and the last lines of its log. Paused and exited nodes are not asked.
     */
    public String describe() {
        StringBuilder text = new StringBuilder("cluster '" + clusterName + "', logs in "
                + (logDir == null ? "(none yet)" : logDir.toAbsolutePath()) + "\n");
        for (NodeProcess node : nodes) {
            text.append("\n== ").append(node.name()).append(' ').append(node.url())
                    .append(" cluster port ").append(node.clusterPort()).append(", pid ").append(node.pid())
                    .append(", ").append(processState(node)).append('\n');
            if (node.isAlive() && !node.isPaused()) {
                String view;
                try {
                    view = Views.summary(node.view());
                } catch (RuntimeException e) {
                    view = "none: " + e.getMessage();
                }
                text.append("   view: ").append(view).append('\n');
            }
            text.append("   last lines of ").append(node.logFile()).append(":\n");
            for (String line : node.logTail(DESCRIBED_LOG_LINES)) {
                text.append("   | ").append(line).append('\n');
            }
        }
        for (DnsServer dns : dnsServers) {
            text.append("\n== DNS server on ").append(dns.server()).append(", latest queries:\n");
            List<String> queries = dns.queries();
            for (String line : queries.subList(Math.max(0, queries.size() - 10), queries.size())) {
                text.append("   | ").append(line).append('\n');
            }
        }
        return text.toString();
    }

    private static String processState(NodeProcess node) {
        if (node.isPaused()) {
            return "paused (SIGSTOP)";
        }
        OptionalInt exit = node.exitCode();
        return exit.isPresent() ? "exited with status " + exit.getAsInt() : "running";
    }

    // ---- stopping ----------------------------------------------------------------------------------------------

    /**
     * Stops every node (paused ones are resumed first; SIGTERM, then SIGKILL for any still running 10 s later, all
     * in parallel) and every DNS server. Safe to call more than once.
     */
    @Override
    public void close() {
        try {
            stop(nodes);
        } finally {
            for (DnsServer dns : dnsServers) {
                dns.close();
            }
            dnsServers.clear();
        }
    }

    private static void stop(List<NodeProcess> toStop) {
        toStop.forEach(NodeProcess::beginStop);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        toStop.forEach(node -> node.finishStop(deadline));
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }
}
