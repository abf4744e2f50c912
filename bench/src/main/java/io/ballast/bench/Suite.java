package io.ballast.bench;

import io.ballast.bench.load.ClosedLoopLoad;
import io.ballast.bench.load.CpuSample;
import io.ballast.bench.load.CpuUse;
import io.ballast.bench.load.DnsSpread;
import io.ballast.bench.load.LoadClient;
import io.ballast.bench.load.Measurement;
import io.ballast.bench.load.OpenLoopLoad;
import io.ballast.bench.load.OtherLoad;
import io.ballast.bench.load.Target;
import io.ballast.bench.load.TimedAction;
import io.ballast.bench.process.BareServerProcess;
import io.ballast.bench.process.FreePorts;
import io.ballast.bench.process.HaProxy;
import io.ballast.bench.process.LoopbackBlock;
import io.ballast.bench.process.Nginx;
import io.ballast.bench.process.NodeCluster;
import io.ballast.bench.process.NodeJar;
import io.ballast.bench.process.NodeProcess;
import io.ballast.bench.report.Format;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs every scenario against every configuration and collects the rows. It starts every server it measures and
 * stops it again, also when a run fails: a failure costs the rows of that server's {@link Stage}, not the suite.
 *
 * <p>{@link #stages()} is the plan, top to bottom. Clusters are shared where a scenario leaves them as it found
 * them: one Ballast cluster serves even load, then the two skews, then loses a node; one cluster with
 * {@code --balance off} serves DNS alone, nginx and HAProxy, then loses a node; two more such clusters are nginx's
 * and HAProxy's for their own node-killed runs. The bare server runs beside a single node at the end, the two
 * measured in turns.
 */
final class Suite {

    /** node3: the one killed mid-run, and the one slowed down. */
    static final int KILLED_NODE = 2;
    static final int SLOW_NODE = 2;
    static final String HELLO = "/hello";
    /** Before a row, the bench waits for other processes to keep fewer cores than this busy. */
    static final double QUIET_CORES = 0.5;
    /** The throughput scenario's servers take turns of about this long, so other load falls on both alike. */
    static final Duration THROUGHPUT_TURN = Duration.ofSeconds(2);

    private final BenchOptions options;
    private final Sizing sizing;
    private final PrintStream log;
    private final Path serverDir;
    private final Results results = new Results();
    private final LoopbackBlock addresses = new LoopbackBlock();
    private final FreePorts ports = new FreePorts();
    private final NodeJar nodeJar;
    private final String bareClassPath;
    private final AtomicInteger clusters = new AtomicInteger();
    private final Set<NodeCluster> warmed = Collections.newSetFromMap(new IdentityHashMap<>());
    private final ExecutorService clientThreads = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "bench-client");
        thread.setDaemon(true);
        return thread;
    });

    /** @param serverDir where the servers' logs and nginx's files go */
    Suite(BenchOptions options, Path serverDir, PrintStream log) {
        this.options = options;
        this.sizing = new Sizing(options);
        this.serverDir = serverDir;
        this.log = log;
        this.nodeJar = new NodeJar(options.nodeJar(), options.jvmOptions()).copyInto(serverDir.resolve("jars"));
        this.bareClassPath = BareServerProcess.classPath(serverDir.resolve("jars"));
    }

    Results run() {
        List<Stage> stages = stages();
        ExecutorService starter = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bench-cluster-starter");
            thread.setDaemon(true);
            return thread;
        });
        Future<NodeCluster> next = null;
        try {
            List<Stage> chosen = new ArrayList<>();
            for (Stage stage : stages) {
                if (stage.scenarios().stream().anyMatch(options.scenarios()::contains)) {
                    chosen.add(stage);
                } else {
                    skipAll(stage, "not selected (--only)");
                }
            }
            for (int i = 0; i < chosen.size(); i++) {
                Stage stage = chosen.get(i);
                Future<NodeCluster> current = next != null ? next : starter.submit(() -> cluster(stage));
                next = null;
                if (options.overlapStarts() && i + 1 < chosen.size()) {
                    Stage following = chosen.get(i + 1);
                    next = starter.submit(() -> cluster(following));
                }
                runStage(stage, current);
            }
        } finally {
            if (next != null) {
                next.cancel(false);
                closeQuietly(next);
            }
            starter.shutdownNow();
            clientThreads.shutdownNow();
        }
        return results;
    }

    /** Every stage, in the order they run. */
    private List<Stage> stages() {
        List<String> off = List.of("--balance", "off");
        List<Stage> stages = new ArrayList<>();
        List<Scenario> shared = List.of(Scenario.EVEN, Scenario.SKEW, Scenario.SKEW30);
        stages.add(new Stage("Ballast cluster", List.of(Scenario.EVEN, Scenario.SKEW, Scenario.SKEW30, Scenario.KILL),
                List.of(Configuration.BALLAST), nodeArgs(List.of()), cluster -> {
                    for (Scenario scenario : shared) {
                        measureWork(scenario, Configuration.BALLAST, cluster, List.of());
                    }
                    measureKill(Configuration.BALLAST, cluster, cluster.targets(), List.of());
                }));
        stages.add(new Stage("DNS-alone cluster", List.of(Scenario.EVEN, Scenario.SKEW, Scenario.SKEW30,
                Scenario.KILL), List.of(Configuration.DNS_ALONE, Configuration.NGINX, Configuration.HAPROXY),
                nodeArgs(off), cluster -> {
                    for (Scenario scenario : shared) {
                        measureWork(scenario, Configuration.DNS_ALONE, cluster, List.of());
                    }
                    behindBalancers(cluster, shared);
                    measureKill(Configuration.DNS_ALONE, cluster, cluster.targets(), List.of());
                }));
        if (nginxAvailable(Scenario.KILL)) {
            stages.add(new Stage("nginx cluster", List.of(Scenario.KILL), List.of(Configuration.NGINX),
                    nodeArgs(off), cluster -> {
                        try (Nginx nginx = nginx(cluster)) {
                            measureKill(Configuration.NGINX, cluster, List.of(nginx.target()), nginx.handles());
                        }
                    }));
        }
        if (haproxyAvailable(Scenario.KILL)) {
            stages.add(new Stage("HAProxy cluster", List.of(Scenario.KILL), List.of(Configuration.HAPROXY),
                    nodeArgs(off), cluster -> {
                        try (HaProxy haProxy = haProxy(cluster)) {
                            measureKill(Configuration.HAPROXY, cluster, List.of(haProxy.target()),
                                    haProxy.handles());
                        }
                    }));
        }
        stages.add(new Stage("slow-node Ballast cluster", List.of(Scenario.SLOW), List.of(Configuration.BALLAST),
                slowNodeArgs(List.of()),
                cluster -> measureWork(Scenario.SLOW, Configuration.BALLAST, cluster, List.of())));
        stages.add(new Stage("slow-node DNS-alone cluster", List.of(Scenario.SLOW),
                List.of(Configuration.DNS_ALONE, Configuration.NGINX, Configuration.HAPROXY), slowNodeArgs(off),
                cluster -> {
                    measureWork(Scenario.SLOW, Configuration.DNS_ALONE, cluster, List.of());
                    behindBalancers(cluster, List.of(Scenario.SLOW));
                }));
        List<String> always = List.of("--balance", "always", "--strategy", "round-robin");
        stages.add(new Stage("forwarding cluster", List.of(Scenario.FORWARD),
                List.of(Configuration.SERVED_LOCALLY, Configuration.FORWARDED), List.of(always, always),
                this::measureForwarding));
        stages.add(new Stage("single node and bare server", List.of(Scenario.THROUGHPUT),
                List.of(Configuration.FULL_CHAIN, Configuration.BARE), List.of(List.of()), this::measureThroughput));
        return stages;
    }

    /** Runs {@code stage} on the cluster {@code starting} brings, then stops it; a failure costs its rows only. */
    private void runStage(Stage stage, Future<NodeCluster> starting) {
        log.println("[bench] " + stage.name());
        try (NodeCluster cluster = await(starting)) {
            stage.body().run(cluster);
        } catch (Exception | AssertionError e) {
            log.println("[bench] " + stage.name() + " failed: " + e);
            e.printStackTrace(log);
            failRemaining(stage, e);
        }
    }

    // ---- one measured row --------------------------------------------------------------------------------------

    /** How DNS spreads {@code scenario}'s load over the nodes; the same sequence for every configuration. */
    private static DnsSpread spread(Scenario scenario, List<Target> targets) {
        long seed = scenario.ordinal() + 1;
        boolean skewed = scenario == Scenario.SKEW || scenario == Scenario.SKEW30;
        return skewed && targets.size() == Sizing.SKEW_WEIGHTS.size()
                ? new DnsSpread(targets, Sizing.SKEW_WEIGHTS, seed)
                : DnsSpread.even(targets, seed);
    }

    /** /work load on the nodes, spread as DNS would. */
    private void measureWork(Scenario scenario, Configuration configuration, NodeCluster cluster,
                             List<ProcessHandle> extraServers) {
        if (!selected(scenario, configuration)) {
            return;
        }
        double rate = sizing.rate(scenario);
        List<ProcessHandle> servers = Stream.concat(cluster.handles().stream(), extraServers.stream()).toList();
        Run run = openLoop(cluster, spread(scenario, cluster.targets()), options.workPath(), rate, servers,
                List.of());
        record(Row.measured(scenario, configuration, rate, run.measurement(), run.measurement().latencies(),
                run.cpu(), Set.of()));
    }

    /** {@code scenarios} behind nginx, then behind HAProxy, each started in front of {@code cluster} in turn. */
    private void behindBalancers(NodeCluster cluster, List<Scenario> scenarios) {
        Scenario[] each = scenarios.toArray(Scenario[]::new);
        if (nginxAvailable(each)) {
            try (Nginx nginx = nginx(cluster)) {
                for (Scenario scenario : scenarios) {
                    measureBehind(scenario, Configuration.NGINX, cluster, nginx.target(), nginx.handles());
                }
            }
        }
        if (haproxyAvailable(each)) {
            try (HaProxy haProxy = haProxy(cluster)) {
                for (Scenario scenario : scenarios) {
                    measureBehind(scenario, Configuration.HAPROXY, cluster, haProxy.target(), haProxy.handles());
                }
            }
        }
    }

    /** /work load all sent to an external balancer ({@code balancer}), in front of the nodes. */
    private void measureBehind(Scenario scenario, Configuration configuration, NodeCluster cluster, Target balancer,
                               List<ProcessHandle> balancerProcesses) {
        if (!selected(scenario, configuration)) {
            return;
        }
        double rate = sizing.rate(scenario);
        List<ProcessHandle> servers = Stream.concat(cluster.handles().stream(), balancerProcesses.stream()).toList();
        Run run = openLoop(cluster, DnsSpread.single(balancer), options.workPath(), rate, servers, List.of());
        record(Row.measured(scenario, configuration, rate, run.measurement(), run.measurement().latencies(),
                run.cpu(), Set.of()));
    }

    /** /hello to the first of two nodes that place every request in turn; one run, split into two rows. */
    private void measureForwarding(NodeCluster cluster) {
        Run run = openLoop(cluster, DnsSpread.single(cluster.node(0).target()), HELLO, options.helloRate(),
                cluster.handles(), List.of());
        Measurement m = run.measurement();
        record(Row.measured(Scenario.FORWARD, Configuration.SERVED_LOCALLY, options.helloRate(), m, m.local(),
                run.cpu(), Set.of()));
        record(Row.measured(Scenario.FORWARD, Configuration.FORWARDED, options.helloRate(), m, m.forwarded(),
                run.cpu(), Set.of()));
    }

    /** /work load on {@code targets}; {@code kill -9} of one node at half time. */
    private void measureKill(Configuration configuration, NodeCluster cluster, List<Target> targets,
                             List<ProcessHandle> extraServers) {
        if (!selected(Scenario.KILL, configuration)) {
            return;
        }
        double rate = sizing.rate(Scenario.KILL);
        NodeProcess victim = cluster.node(KILLED_NODE);
        List<ProcessHandle> servers = Stream.concat(cluster.handles().stream(), extraServers.stream()).toList();
        TimedAction kill = new TimedAction(options.measure().dividedBy(2), () -> {
            victim.kill();
            log.println("[bench]   kill -9 " + victim.name() + " at half time");
        });
        Run run = openLoop(cluster, spread(Scenario.KILL, targets), options.workPath(), rate, servers,
                List.of(kill));
        Set<String> dead = targets.stream().map(Target::name).filter(victim.name()::equals)
                .collect(Collectors.toSet());
        record(Row.measured(Scenario.KILL, configuration, rate, run.measurement(), run.measurement().latencies(),
                run.cpu(), dead));
    }

    /**
     * Closed-loop /hello to one Ballast node and to the bare server, in alternating rounds (node, bare, node, …) so
     * that a change in the machine's other load over time falls on both alike. The rounds follow each other without
     * waiting for a quiet machine; each server is warmed up once, as a fresh one, before its first round; its rows
     * add up its rounds.
     */
    private void measureThroughput(NodeCluster single) {
        String bind = addresses.next();
        try (BareServerProcess bare = BareServerProcess.start(bareClassPath, options.jvmOptions(), bind,
                ports.http(bind), serverDir.resolve("bare").resolve("bare.log"))) {
            log.println("[bench] bare server on " + bare.url());
            List<Configuration> configurations = List.of(Configuration.FULL_CHAIN, Configuration.BARE);
            List<Target> targets = List.of(single.node(0).target(), bare.target());
            List<List<ProcessHandle>> servers = List.of(single.handles(), List.of(bare.handle()));
            Run[] totals = new Run[2];
            settle(servers.stream().flatMap(List::stream).toList());
            int rounds = throughputRounds(options.measure());
            Duration round = options.measure().dividedBy(rounds);
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < 2; i++) {
                    Duration warmup = r > 0 ? Duration.ZERO
                            : options.warmup().multipliedBy(Sizing.FIRST_WARMUP_FACTOR);
                    Run run = closedLoop(targets.get(i), warmup, round, servers.get(i));
                    totals[i] = totals[i] == null ? run : totals[i].plus(run);
                }
            }
            for (int i = 0; i < 2; i++) {
                Measurement m = totals[i].measurement();
                record(Row.measured(Scenario.THROUGHPUT, configurations.get(i), Double.NaN, m, m.latencies(),
                        totals[i].cpu(), Set.of()));
            }
        }
    }

    /** How many turns each server of the throughput scenario gets: about one per 2 s, at least 2, at most 10. */
    static int throughputRounds(Duration measure) {
        return (int) Math.max(2, Math.min(10, measure.toMillis() / THROUGHPUT_TURN.toMillis()));
    }

    private Run closedLoop(Target target, Duration warmup, Duration measure, List<ProcessHandle> servers) {
        AtomicReference<CpuSample> start = new AtomicReference<>();
        AtomicReference<CpuSample> end = new AtomicReference<>();
        Measurement measurement = new ClosedLoopLoad(options.timeout()).run(target, HELLO, options.concurrency(),
                warmup, measure, cpuActions(measure, servers, start, end));
        return new Run(measurement, cpu(start, end));
    }

    /** Whether {@code --only} selected {@code scenario}; if not, its row says so. */
    private boolean selected(Scenario scenario, Configuration configuration) {
        if (options.scenarios().contains(scenario)) {
            return true;
        }
        results.put(Row.skipped(scenario, configuration, "not selected (--only)"));
        return false;
    }

    /**
     * Waits (at most {@code --settle}) until other processes on the machine leave the cores to the bench and its
     * servers; says so when it had to wait, or gave up waiting.
     */
    private void settle(List<ProcessHandle> servers) {
        if (options.settle().isZero()) {
            return;
        }
        long started = System.nanoTime();
        double others = OtherLoad.awaitBelow(QUIET_CORES, options.settle(), servers);
        double waited = (System.nanoTime() - started) / 1e9;
        if (others >= QUIET_CORES) {
            log.printf("[bench]   other processes still keep %.2f cores busy after %.0f s; measuring anyway%n",
                    others, waited);
        } else if (waited > 1.5) {
            log.printf("[bench]   waited %.0f s for other processes to quiet down (now %.2f cores)%n", waited,
                    others);
        }
    }

    /** The warm-up of a row on {@code cluster}: longer for its first row. */
    private Duration warmup(NodeCluster cluster) {
        return warmed.add(cluster) ? options.warmup().multipliedBy(Sizing.FIRST_WARMUP_FACTOR) : options.warmup();
    }

    private Run openLoop(NodeCluster cluster, DnsSpread spread, String path, double rate,
                         List<ProcessHandle> servers, List<TimedAction> actions) {
        settle(servers);
        AtomicReference<CpuSample> start = new AtomicReference<>();
        AtomicReference<CpuSample> end = new AtomicReference<>();
        List<TimedAction> all = new ArrayList<>(cpuActions(options.measure(), servers, start, end));
        all.addAll(actions);
        LoadClient client = new LoadClient(clientThreads, options.timeout());
        Measurement measurement = new OpenLoopLoad(client).run(spread, path, rate, warmup(cluster),
                options.measure(), all);
        return new Run(measurement, cpu(start, end));
    }

    /** CPU samples at the start and the end of a measured window. */
    private static List<TimedAction> cpuActions(Duration window, List<ProcessHandle> servers,
                                                AtomicReference<CpuSample> start, AtomicReference<CpuSample> end) {
        return List.of(new TimedAction(Duration.ZERO, () -> start.set(CpuSample.take(servers))),
                new TimedAction(window, () -> end.set(CpuSample.take(servers))));
    }

    private static CpuUse cpu(AtomicReference<CpuSample> start, AtomicReference<CpuSample> end) {
        return start.get() == null || end.get() == null ? CpuUse.UNKNOWN : start.get().until(end.get());
    }

    /** A measured window and the CPU it took. */
    private record Run(Measurement measurement, CpuUse cpu) {

        Run plus(Run other) {
            return new Run(measurement.plus(other.measurement), cpu.plus(other.cpu));
        }
    }

    private void record(Row row) {
        results.put(row);
        logRow(row);
    }

    private void logRow(Row row) {
        Measurement m = row.measurement().orElseThrow();
        if (m.totalErrors() > 0 || row.percentileMicros(99) > 1_000_000) {
            log.println("[bench]     second by second, ok/errors/slowest: " + m.timeline().text());
        }
        log.printf("[bench]   %-18s %-44s %7s rps ok, %s errors, p50 %s, p99 %s, p99.9 %s, forwarded %s%n",
                row.scenario().title(), row.configuration().label(), Format.rate(row.okCount() / m.seconds()),
                Format.count(m.totalErrors()), Format.latency(row.percentileMicros(50)),
                Format.latency(row.percentileMicros(99)), Format.latency(row.percentileMicros(99.9)),
                Format.percent(m.forwardedShare()));
    }

    // ---- servers -----------------------------------------------------------------------------------------------

    /** Every node's options in the /work scenarios: {@code --capacity} and {@code extra}. */
    private List<List<String>> nodeArgs(List<String> extra) {
        List<String> args = new ArrayList<>(List.of("--capacity", Integer.toString(options.capacity())));
        args.addAll(extra);
        return Collections.nCopies(Sizing.NODES, List.copyOf(args));
    }

    /** Node options of the slow-node scenario: {@code extra}, and node3 {@code --work-factor 3}. */
    private List<List<String>> slowNodeArgs(List<String> extra) {
        List<List<String>> args = new ArrayList<>(nodeArgs(extra));
        List<String> slow = new ArrayList<>(args.get(SLOW_NODE));
        slow.addAll(List.of("--work-factor", Format.decimal(Sizing.SLOW_WORK_FACTOR, 0)));
        args.set(SLOW_NODE, List.copyOf(slow));
        return args;
    }

    private NodeCluster cluster(Stage stage) {
        List<List<String>> nodeArgs = stage.nodeArgs();
        Path logDir = serverDir.resolve("cluster-" + clusters.incrementAndGet());
        long started = System.nanoTime();
        NodeCluster cluster = NodeCluster.start(nodeJar, addresses, ports, nodeArgs, logDir);
        String nodes = cluster.nodes().stream()
                .map(node -> node.name() + " " + node.url() + " " + String.join(" ",
                        nodeArgs.get(cluster.nodes().indexOf(node))))
                .collect(Collectors.joining(", "));
        log.printf("[bench] cluster %s (for the %s) formed in %.1f s: %s%n", cluster.name(), stage.name(),
                (System.nanoTime() - started) / 1e9, nodes);
        return cluster;
    }

    private Nginx nginx(NodeCluster cluster) {
        String bind = addresses.next();
        Nginx nginx = Nginx.start(options.nginx().orElseThrow(), bind, ports.http(bind), cluster.urls(),
                serverDir.resolve("nginx-" + cluster.name()));
        log.println("[bench] nginx least_conn on " + nginx.url() + " in front of " + cluster.urls());
        return nginx;
    }

    private HaProxy haProxy(NodeCluster cluster) {
        String bind = addresses.next();
        HaProxy haProxy = HaProxy.start(options.haproxy().orElseThrow(), bind, ports.http(bind), cluster.urls(),
                serverDir.resolve("haproxy-" + cluster.name()));
        log.println("[bench] HAProxy leastconn on " + haProxy.url() + " in front of " + cluster.urls());
        return haProxy;
    }

    /** Whether HAProxy is there; if not, its rows of {@code scenarios} say so. */
    private boolean haproxyAvailable(Scenario... scenarios) {
        if (options.haproxy().isPresent()) {
            return true;
        }
        for (Scenario scenario : scenarios) {
            results.put(Row.skipped(scenario, Configuration.HAPROXY, "HAProxy is not installed (or --haproxy none)"));
        }
        return false;
    }

    /** Whether nginx is there; if not, its rows of {@code scenarios} say so. */
    private boolean nginxAvailable(Scenario... scenarios) {
        if (options.nginx().isPresent()) {
            return true;
        }
        for (Scenario scenario : scenarios) {
            results.put(Row.skipped(scenario, Configuration.NGINX, "nginx is not installed (or --nginx none)"));
        }
        return false;
    }

    // ---- failure -----------------------------------------------------------------------------------------------

    private static NodeCluster await(Future<NodeCluster> starting) throws Exception {
        try {
            return starting.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Stops the cluster a start left behind, if it ever came up. */
    private static void closeQuietly(Future<NodeCluster> starting) {
        try {
            starting.get().close();
        } catch (Exception e) {
            // it never came up, or was never started: nothing to stop
        }
    }

    private void skipAll(Stage stage, String reason) {
        for (Scenario scenario : stage.scenarios()) {
            for (Configuration configuration : stage.configurations()) {
                if (stage.owns(scenario, configuration) && !results.has(scenario, configuration)) {
                    results.put(Row.skipped(scenario, configuration, reason));
                }
            }
        }
    }

    /** Every row of {@code stage} that it has not recorded yet is recorded as failed, with the reason. */
    private void failRemaining(Stage stage, Throwable error) {
        for (Scenario scenario : stage.scenarios()) {
            for (Configuration configuration : stage.configurations()) {
                if (stage.owns(scenario, configuration) && !results.has(scenario, configuration)) {
                    results.put(Row.failed(scenario, configuration, firstLine(error)));
                }
            }
        }
    }

    private static String firstLine(Throwable error) {
        String message = error.getMessage() == null ? error.toString() : error.getMessage();
        return message.lines().findFirst().orElse(error.getClass().getSimpleName());
    }
}
