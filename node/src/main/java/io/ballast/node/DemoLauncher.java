package io.ballast.node;

import io.ballast.node.config.ConfigException;
import io.ballast.node.config.ConfigParser;
import io.ballast.node.demo.DemoLoad;
import io.ballast.protocol.ClusterView;
import io.ballast.protocol.Json;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import sun.misc.Signal;

/**
 * {@code java -jar ballast-node.jar demo [--load skew|even|off] [OPTION VALUE]...}: three nodes of cluster
 * {@code demo} on this machine, each in its own process, on HTTP ports 8081 to 8083 and cluster ports 7801 to 7803 of
 * 127.0.0.1. Other options go to every node, checked here first. With {@code --load}, a {@link DemoLoad} sends them
 * work once they have formed their cluster. Ctrl-C stops all three; each leaves the cluster cleanly.
 */
final class DemoLauncher {

    static final int NODES = 3;
    static final int FIRST_HTTP_PORT = 8081;
    static final int FIRST_CLUSTER_PORT = 7801;
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private DemoLauncher() {
    }

    /** Options the demo cannot pass on: it speaks plain HTTP to its nodes, and three nodes share one host. */
    private static final List<String> NOT_FOR_THE_DEMO = List.of("--tls-cert", "--tls-key", "--http-redirect-port");

    static int run(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.print("usage: java -jar ballast-node.jar demo [--load skew|even|off] [OPTION VALUE]...\n"
                    + "  --load MODE  also send /work?ms=" + DemoLoad.WORK_MS + " at "
                    + Math.round(100 * DemoLoad.SHARE_OF_CAPACITY) + "% of the cluster's capacity: skew (80/10/10), "
                    + "even, or off (the default); the nodes then get --capacity " + DemoLoad.LOAD_CAPACITY
                    + " unless you give one\nEvery other option goes to each of the three nodes:\n\n"
                    + ConfigParser.usage());
            return Main.EXIT_OK;
        }
        for (String option : args) {
            if (NOT_FOR_THE_DEMO.contains(option.split("=", 2)[0])) {
                System.err.println("ballast demo: " + option.split("=", 2)[0] + " is not for the demo, which runs "
                        + "plain HTTP (start nodes with TLS one by one, without 'demo')");
                return Main.EXIT_USAGE;
            }
        }
        DemoLoad.Options options;
        List<String> nodeOptions;
        int capacity;
        try {
            options = DemoLoad.Options.parse(args);
            nodeOptions = withLoadCapacity(options, System.getenv());
            capacity = nodeCapacity(nodeOptions);
        } catch (ConfigException e) {
            System.err.println("ballast demo: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        String[] extraOptions = nodeOptions.toArray(String[]::new);
        CountDownLatch stopRequested = new CountDownLatch(1);
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());

        List<Process> nodes = new ArrayList<>();
        DemoLoad load = null;
        try {
            for (int i = 0; i < NODES; i++) {
                nodes.add(startNode(i, extraOptions));
            }
            if (!awaitCluster(nodes, stopRequested)) {
                if (stopRequested.getCount() == 0) {
                    System.out.println("\nStopping the demo cluster...");
                    return Main.EXIT_OK;
                }
                System.err.println("ballast demo: the nodes did not form a cluster of " + NODES + " within "
                        + START_TIMEOUT.toSeconds() + " s; stopping");
                return Main.EXIT_FAILED;
            }
            double rate = DemoLoad.ratePerSecond(NODES, capacity);
            printWelcome(options.load(), rate, capacity);
            if (options.load() != DemoLoad.Mode.OFF) {
                load = DemoLoad.start(options.load(), nodeUrls(), rate, System.out::println);
            }
            while (!stopRequested.await(500, TimeUnit.MILLISECONDS)) {
                for (Process node : nodes) {
                    if (!node.isAlive()) {
                        System.err.println("ballast demo: a node exited with status " + node.exitValue()
                                + "; stopping the others");
                        return Main.EXIT_FAILED;
                    }
                }
            }
            System.out.println("\nStopping the demo cluster...");
            return Main.EXIT_OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILED;
        } catch (Exception e) {
            System.err.println("ballast demo: " + e);
            return Main.EXIT_FAILED;
        } finally {
            if (load != null) {
                load.close();
            }
            stopAll(nodes);
        }
    }

    /**
     * The options for every node: with {@code --load} and no capacity given (flag or {@code BALLAST_CAPACITY}), a
     * capacity of {@value DemoLoad#LOAD_CAPACITY}, so that the load stays light for a laptop.
     */
    static List<String> withLoadCapacity(DemoLoad.Options options, Map<String, String> environment) {
        boolean given = environment.containsKey("BALLAST_CAPACITY") || options.nodeOptions().stream()
                .anyMatch(option -> option.equals("--capacity") || option.startsWith("--capacity="));
        if (options.load() == DemoLoad.Mode.OFF || given) {
            return options.nodeOptions();
        }
        List<String> withCapacity = new ArrayList<>(List.of("--capacity", Integer.toString(DemoLoad.LOAD_CAPACITY)));
        withCapacity.addAll(options.nodeOptions());
        return withCapacity;
    }

    /**
     * The capacity each node will have, from the options as the first node gets them: checking them here stops a
     * bad one with one line before any node starts.
     */
    static int nodeCapacity(List<String> extraOptions) {
        List<String> first = new ArrayList<>(nodeOptions(0));
        first.addAll(extraOptions);
        ConfigParser.Parsed parsed = ConfigParser.parse(first.toArray(String[]::new), System.getenv());
        return ((ConfigParser.Run) parsed).config().capacity();
    }

    private static List<String> nodeUrls() {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            urls.add("http://" + HOST + ":" + (FIRST_HTTP_PORT + i));
        }
        return urls;
    }

    /** The options the demo gives node {@code index}, before the user's. */
    private static List<String> nodeOptions(int index) {
        return List.of(
                "--name", "node" + (index + 1),
                "--bind", HOST,
                "--http-port", Integer.toString(FIRST_HTTP_PORT + index),
                "--cluster-port", Integer.toString(FIRST_CLUSTER_PORT + index),
                "--cluster", "demo",
                "--discovery", staticDiscovery());
    }

    private static Process startNode(int index, String[] extraOptions) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(ownJar());
        command.add(Main.class.getName());
        command.addAll(nodeOptions(index));
        command.addAll(List.of(extraOptions));
        return new ProcessBuilder(command).inheritIO().start();
    }

    private static String staticDiscovery() {
        StringBuilder spec = new StringBuilder("static:");
        for (int i = 0; i < NODES; i++) {
            spec.append(i == 0 ? "" : ",").append(HOST).append(':').append(FIRST_CLUSTER_PORT + i);
        }
        return spec.toString();
    }

    private static String ownJar() throws Exception {
        return new File(DemoLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    }

    private static boolean awaitCluster(List<Process> nodes, CountDownLatch stopRequested) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && stopRequested.getCount() > 0) {
            if (nodes.stream().anyMatch(p -> !p.isAlive())) {
                return false;
            }
            int settled = 0;
            for (int i = 0; i < NODES; i++) {
                if (viewSize(client, FIRST_HTTP_PORT + i) == NODES) {
                    settled++;
                }
            }
            if (settled == NODES) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    private static int viewSize(HttpClient client, int port) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://" + HOST + ":" + port + "/_ballast/cluster"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Json.read(response.body(), ClusterView.class).members().size() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private static void printWelcome(DemoLoad.Mode load, double rate, int capacity) {
        String first = "http://" + HOST + ":" + FIRST_HTTP_PORT;
        StringBuilder text = new StringBuilder("\nWatch the cluster: " + first + "/_ballast/\n\n")
                .append("Ballast demo: ").append(NODES).append(" nodes in cluster 'demo'\n");
        for (int i = 0; i < NODES; i++) {
            text.append(String.format("  node%d  http://%s:%d%n", i + 1, HOST, FIRST_HTTP_PORT + i));
        }
        if (load != DemoLoad.Mode.OFF) {
            text.append(String.format(Locale.ROOT, "%nLoad (--load %s): %.0f requests/s of /work?ms=%d, "
                            + "%s, %.0f%% of what %d nodes of capacity %d serve%n", load.flagValue(), rate,
                    DemoLoad.WORK_MS, load == DemoLoad.Mode.SKEW ? "80/10/10 to node1, node2, node3"
                            : "spread evenly", 100 * DemoLoad.SHARE_OF_CAPACITY, NODES, capacity));
        }
        text.append("\nTry:\n")
                .append("  curl -i ").append(first).append("/hello                 (see X-Served-By)\n")
                .append("  curl ").append(first).append("/_ballast/cluster        (the cluster as node1 sees it)\n")
                .append("  curl '").append(first).append("/work?ms=200'          (holds a slot for 200 ms)\n")
                .append("  curl '").append(first).append("/cpu?n=100000'         (burns CPU)\n")
                .append("  curl -c jar -b jar ").append(first).append("/session   (a counter in your session; try ")
                .append("each node)\n")
                .append("\nPress Ctrl-C to stop all three nodes.\n");
        System.out.println(text);
    }

    private static void stopAll(List<Process> nodes) {
        nodes.forEach(Process::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (Process node : nodes) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!node.waitFor(left, TimeUnit.NANOSECONDS)) {
                    node.destroyForcibly();
                }
            } catch (InterruptedException e) {
                node.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
