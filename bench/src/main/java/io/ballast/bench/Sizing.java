package io.ballast.bench;

import io.ballast.bench.process.BenchCertificate;

import io.ballast.bench.report.Format;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How hard each scenario pushes, derived from the nodes' capacity and the /work time rather than from the CPU:
 * {@code /work?ms=N} holds one of a node's {@code --capacity} slots for N ms without using a thread, so a node serves
 * at most {@code capacity * 1000 / N} requests per second, however many cores the machine has.
 */
public record Sizing(BenchOptions options) {

    static final int NODES = 3;
    static final double EVEN_LOAD = 0.7;
    static final double SKEW_LOAD = 0.7;
    static final double LIGHT_SKEW_LOAD = 0.3;
    static final double SLOW_LOAD = 0.5;
    static final double KILL_LOAD = 0.5;
    static final List<Double> SKEW_WEIGHTS = List.of(0.8, 0.1, 0.1);
    static final double SLOW_WORK_FACTOR = 3;
    /** A cluster's first row warms up this many times as long as the others: a fresh JVM and cluster settle. */
    public static final int FIRST_WARMUP_FACTOR = 2;

    /** A node's capacity in requests per second. */
    public double nodeRate() {
        return options.nodeRate();
    }

    /** The three-node cluster's nominal capacity in requests per second. */
    public double clusterRate() {
        return NODES * nodeRate();
    }

    /** The share of the nominal capacity at which {@code scenario} runs. */
    public static double load(Scenario scenario) {
        return switch (scenario) {
            case EVEN -> EVEN_LOAD;
            case SKEW -> SKEW_LOAD;
            case SKEW30 -> LIGHT_SKEW_LOAD;
            case SLOW -> SLOW_LOAD;
            case KILL -> KILL_LOAD;
            default -> throw new IllegalArgumentException(scenario + " has no /work rate");
        };
    }

    /**
     * The scale scenario's load, whatever the cluster's size: the even-load scenario's, so that what grows with the
     * size is the cluster's own cost, not the clients' work (which a larger cluster at the same load per node would
     * multiply beyond what one small machine can serve).
     */
    public double scaleRate() {
        return rate(Scenario.EVEN);
    }

    /** The arrival rate of {@code scenario}'s /work load, in requests per second. */
    public double rate(Scenario scenario) {
        return clusterRate() * load(scenario);
    }

    /** The hop scenario warms each path this many times the usual warm-up: enough forwards to be past the JIT. */
    static final int HOP_WARMUP_FACTOR = 4;

    private static String seconds(Duration duration) {
        return Format.decimal(duration.toMillis() / 1000.0, duration.toMillis() % 1000 == 0 ? 0 : 2) + " s";
    }

    /** One paragraph: what {@code scenario} sends where, and how hard that is for the servers. */
    public String setup(Scenario scenario) {
        String work = "`" + options.workPath() + "`";
        String nodes = NODES + " nodes with `--capacity " + options.capacity() + "`";
        return switch (scenario) {
            case EVEN -> work + " at " + Format.rate(rate(scenario)) + " rps (" + Format.percent(EVEN_LOAD)
                    + " of the " + Format.rate(clusterRate()) + " rps the " + nodes + " can serve), DNS spreading "
                    + "it evenly; nginx and HAProxy get all of it.";
            case SKEW, SKEW30 -> work + " at " + Format.rate(rate(scenario)) + " rps ("
                    + Format.percent(load(scenario)) + " of " + Format.rate(clusterRate())
                    + " rps), DNS sending 80/10/10: node1 receives " + Format.rate(0.8 * rate(scenario)) + " rps, "
                    + Format.percent(0.8 * rate(scenario) / nodeRate()) + " of the " + Format.rate(nodeRate())
                    + " rps it can serve. nginx and HAProxy get all of it (DNS points at the balancer).";
            case SLOW -> {
                double slowRate = nodeRate() / SLOW_WORK_FACTOR;
                yield "node3 started with `--work-factor " + Format.decimal(SLOW_WORK_FACTOR, 0) + "`: its "
                        + work + " holds a slot " + Format.decimal(SLOW_WORK_FACTOR, 0) + "x as long, so it serves "
                        + Format.rate(slowRate) + " rps instead of " + Format.rate(nodeRate()) + ". "
                        + Format.rate(rate(scenario)) + " rps (" + Format.percent(SLOW_LOAD) + " of the nominal "
                        + Format.rate(clusterRate()) + " rps; " + Format.percent(rate(scenario)
                        / (2 * nodeRate() + slowRate)) + " of the " + Format.rate(2 * nodeRate() + slowRate)
                        + " rps the cluster really has), DNS even: node3 receives " + Format.rate(rate(scenario) / 3)
                        + " rps.";
            }
            case KILL -> work + " at " + Format.rate(rate(scenario)) + " rps (" + Format.percent(KILL_LOAD) + " of "
                    + Format.rate(clusterRate()) + " rps), DNS even; node3 gets `kill -9` at half time. Errors are "
                    + "counted by the address the request was sent to: those sent to node3 are DNS's part (no "
                    + "client-side balancer can save them), those sent to node1 and node2 are the servers' part.";
            case HOP -> "The price of one hop, in the same run: 2 nodes with `--balance always --strategy "
                    + "weighted-round-robin`, node A (node1) `--weight 1` and node B (node2) `--weight 1000`, so A "
                    + "forwards all but one request in a thousand to B. `/hello` in a closed loop with one client "
                    + "(the minimal keep-alive client of the throughput scenario), to B directly, through nginx "
                    + "(one worker, keep-alive upstream of B alone), and through A (only answers with `Via` count), "
                    + "taking turns, " + Suite.throughputRounds(options.measure()) + " rounds; each path warmed up "
                    + "once first, " + seconds(options.warmup().multipliedBy(HOP_WARMUP_FACTOR)) + " (tens of "
                    + "thousands of requests: past JIT compilation). A hop's added latency is its row minus the "
                    + "direct row, percentile by percentile.";
            case FORWARDING -> "The same 2 nodes; closed loop, " + options.concurrency() + " clients, `/hello` to A "
                    + "(which forwards it to B) and to nginx (proxying to B), taking turns. The proxies' CPU only "
                    + "(A's process, nginx's): B serves both alike. Throughput per proxy core is the comparison.";
            case THROUGHPUT -> "Closed loop: " + options.concurrency() + " clients, each a thread with its own "
                    + "keep-alive connection and a minimal blocking HTTP/1.1 client, sending `/hello` back to back "
                    + "(the next request as soon as the last is answered) to one server: one Ballast node (defaults, "
                    + "a cluster of one) with its whole chain, and the bare Undertow server (same Undertow defaults "
                    + "and JVM options, no chain). The two take turns, " + Suite.throughputRounds(options.measure())
                    + " rounds of " + seconds(options.measure().dividedBy(Suite.throughputRounds(options.measure())))
                    + " each, so that a change in "
                    + "the machine's other load falls on both alike: " + seconds(options.measure()) + " measured "
                    + "each, after one " + seconds(options.warmup()) + " warm-up each. Load generator and server "
                    + "share the machine's cores, so the CPU time per request is shown too.";
            case SCALE -> "Clusters of " + options.scaleSizes().stream().map(String::valueOf)
                    .collect(Collectors.joining(", ")) + " nodes with `--capacity " + options.capacity() + "` and "
                    + "the defaults, one after the other, each alone on the machine (no other cluster running), "
                    + "every node on its own loopback address, `--discovery static:` listing all of them, JVM "
                    + "options `" + String.join(" ", options.jvmOptions()) + "`. **Formed**: from the launch of the "
                    + "last node (all are launched at once) until every node is ready and sees every node UP with a "
                    + "fresh report, polled on `/_ballast/cluster`: JVM start, discovery, join and first reports. "
                    + "**At rest**: no client load, " + seconds(options.warmup().multipliedBy(FIRST_WARMUP_FACTOR))
                    + " after forming, for " + seconds(options.measure()) + ". **Under load**: the even-load "
                    + "scenario's load whatever the size, " + work + " at " + Format.rate(scaleRate()) + " rps ("
                    + Format.percent(EVEN_LOAD) + " of what 3 nodes serve), DNS spreading it evenly, so that each "
                    + "node of a larger cluster gets less of it: what grows with the size is the cluster's own cost; "
                    + seconds(options.warmup()) + " warm-up, then " + seconds(options.measure()) + " measured. "
                    + "Per node, on average over the nodes: cluster messages and their bytes sent and received per "
                    + "second, as the node's transport counts them (`ballast_cluster_*_total` in "
                    + "`/_ballast/metrics`: a message to all members counts once as sent, though over TCP it leaves "
                    + "as one copy per member, and once per copy received, so received is the wire's traffic; "
                    + "failure detection's own sockets not included), and the cores its process kept busy (CPU time "
                    + "from /proc), with the busiest node's in parentheses.";
            case HTTPS -> "The same closed loop over TLS (" + BenchCertificate.PROTOCOL + " and "
                    + BenchCertificate.CIPHER_SUITE + " only, one handshake per connection, then keep-alive), "
                    + "`/hello` to one Ballast node with `--tls-cert` and `--tls-key` (a cluster of one), and to "
                    + "nginx terminating TLS (`worker_processes auto`, keep-alive to the bare Undertow server behind "
                    + "it) with the same self-signed EC P-256 certificate made for this run. Taking turns as above: "
                    + seconds(options.measure()) + " measured each. The servers' CPU counts nginx's processes and "
                    + "the bare server's together.";
        };
    }
}
