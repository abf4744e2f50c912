package io.ballast.bench.process;

import io.ballast.bench.load.Target;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.Json;
import io.ballast.protocol.MemberState;
import io.ballast.protocol.MemberView;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Ballast nodes started together as one fresh cluster on loopback: {@code --cluster bench-<random hex>}, each node
 * on its own address of the run's {@link LoopbackBlock} with free ports, finding the others through
 * {@code --discovery static:}. {@link #close()} stops every node that is still running.
 */
public final class NodeCluster implements AutoCloseable {

    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(120);
    /** Large clusters on a small machine boot their JVMs one core-second after the other: more time per node. */
    private static final Duration FORM_TIMEOUT_PER_NODE = Duration.ofSeconds(20);
    private static final long FRESH_REPORT_MS = 1_000;

    private final String name;
    private final List<NodeProcess> nodes;
    private Duration formed = Duration.ZERO;

    private NodeCluster(String name, List<NodeProcess> nodes) {
        this.name = name;
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Starts one node per entry of {@code nodeArgs} (that node's options, e.g. {@code --capacity 8}), named
     * {@code node1}, {@code node2}, …, and returns once every node sees all of them UP and reporting.
     *
     * @param logDir where {@code <node>.log} of each node goes
     * @throws IllegalStateException when the cluster has not formed within two minutes, or 20 s per node for more
     *                               than six; the nodes are stopped
     */
    public static NodeCluster start(NodeJar jar, LoopbackBlock addresses, FreePorts ports, List<List<String>> nodeArgs,
                                    Path logDir) {
        String clusterName = "bench-" + randomHex();
        int size = nodeArgs.size();
        List<String> binds = new ArrayList<>();
        List<Integer> clusterPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            String bind = addresses.next();
            binds.add(bind);
            clusterPorts.add(ports.cluster(bind));
        }
        String discovery = "static:" + IntStream.range(0, size)
                .mapToObj(i -> binds.get(i) + ":" + clusterPorts.get(i))
                .collect(Collectors.joining(","));
        List<NodeProcess> started = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                String nodeName = "node" + (i + 1);
                List<String> args = new ArrayList<>(List.of("--cluster", clusterName, "--discovery", discovery));
                args.addAll(nodeArgs.get(i));
                started.add(NodeProcess.start(jar, nodeName, binds.get(i), ports.http(binds.get(i)),
                        clusterPorts.get(i), args, logDir.resolve(nodeName + ".log")));
            }
            long lastLaunch = System.nanoTime();
            NodeCluster cluster = new NodeCluster(clusterName, started);
            cluster.awaitFormed();
            cluster.formed = Duration.ofNanos(System.nanoTime() - lastLaunch);
            return cluster;
        } catch (RuntimeException e) {
            new NodeCluster(clusterName, started).close();
            throw e;
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Waits until every node is ready and sees every node UP with a fresh report. */
    private void awaitFormed() {
        Duration limit = formTimeout(nodes.size());
        long deadline = System.nanoTime() + limit.toNanos();
        while (!isFormed()) {
            for (NodeProcess node : nodes) {
                if (!node.isAlive()) {
                    throw new IllegalStateException("node " + node.name() + " of cluster " + name
                            + " exited while starting; last lines of " + node.logFile() + ":\n" + tail(node));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cluster " + name + " did not form within "
                        + limit.toSeconds() + " s:\n" + describe());
            }
            Probe.pause();
        }
    }

    static Duration formTimeout(int size) {
        Duration perNode = FORM_TIMEOUT_PER_NODE.multipliedBy(size);
        return perNode.compareTo(FORM_TIMEOUT) > 0 ? perNode : FORM_TIMEOUT;
    }

    /**
     * How long the cluster took to form: from the launch of its last node until every node was ready and saw every
     * node UP with a fresh report (polled, so a little later than the moment itself).
     */
    public Duration formed() {
        return formed;
    }

    private boolean isFormed() {
        for (NodeProcess node : nodes) {
            if (!Probe.ok(node.probe(), node.url().resolve("/_ballast/health/ready"))) {
                return false;
            }
            Optional<ClusterView> view = view(node);
            if (view.isEmpty() || view.get().members().size() != nodes.size()) {
                return false;
            }
            for (MemberView member : view.get().members()) {
                if (member.state() != MemberState.UP || member.url() == null
                        || member.reportAgeMs() > FRESH_REPORT_MS) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Optional<ClusterView> view(NodeProcess node) {
        Optional<HttpResponse<String>> response = Probe.get(node.probe(), node.url().resolve("/_ballast/cluster"));
        if (response.isEmpty() || response.get().statusCode() != 200) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.read(response.get().body(), ClusterView.class));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Every node's view and the end of its log, for a failure message. */
    private String describe() {
        StringBuilder text = new StringBuilder();
        for (NodeProcess node : nodes) {
            text.append("-- ").append(node).append(node.isAlive() ? "" : " (exited)").append(": view ")
                    .append(view(node).map(Json::write).orElse("(none)")).append("\n").append(tail(node));
        }
        return text.toString();
    }

    private static String tail(NodeProcess node) {
        try {
            List<String> lines = Files.readAllLines(node.logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())) + "\n";
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")\n";
        }
    }

    public String name() {
        return name;
    }

    public List<NodeProcess> nodes() {
        return nodes;
    }

    public NodeProcess node(int index) {
        return nodes.get(index);
    }

    public List<Target> targets() {
        return nodes.stream().map(NodeProcess::target).toList();
    }

    /** The processes that serve, for CPU accounting. */
    public List<ProcessHandle> handles() {
        return nodes.stream().map(NodeProcess::handle).toList();
    }

    public List<URI> urls() {
        return nodes.stream().map(NodeProcess::url).toList();
    }

    /** Stops every node still running: SIGTERM to all at once, then SIGKILL to any that has not exited in time. */
    @Override
    public void close() {
        nodes.forEach(NodeProcess::beginStop);
        nodes.forEach(NodeProcess::finishStop);
    }
}
