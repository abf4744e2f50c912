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
import io.ballast.bench.load.TrafficRates;
import io.ballast.bench.process.BareServerProcess;
import io.ballast.bench.process.BenchCertificate;
import io.ballast.bench.process.FreePorts;
import io.ballast.bench.process.HaProxy;
import io.ballast.bench.process.LoopbackBlock;
import io.ballast.bench.process.Nginx;
import io.ballast.bench.process.NodeCluster;
import io.ballast.bench.process.NodeJar;
import io.ballast.bench.process.NodeProcess;
import io.ballast.bench.process.TrafficSample;
import io.ballast.bench.report.Format;
import org.HdrHistogram.Histogram;

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
 * and HAProxy's for their own node-killed runs. A pair of nodes, one forwarding to the other, measures a hop beside
 * nginx's. The bare server runs beside a single node, the two measured in turns; then a single node with TLS and
 * nginx terminating TLS in front of a bare server, with one certificate, in turns too.
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
    private BenchCertificate certificate;
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
            measureScale();
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
        List<String> weighted = List.of("--balance", "always", "--strategy", "weighted-round-robin", "--weight");
        stages.add(new Stage("forwarding pair", List.of(Scenario.HOP, Scenario.FORWARDING),
                List.of(Configuration.HOP_DIRECT, Configuration.HOP_NGINX, Configuration.HOP_BALLAST,
                        Configuration.FORWARDING_BALLAST, Configuration.FORWARDING_NGINX),
                List.of(with(weighted, "1"), with(weighted, "1000")), this::measureHops));
        stages.add(new Stage("single node and bare server", List.of(Scenario.THROUGHPUT),
                List.of(Configuration.FULL_CHAIN, Configuration.BARE), List.of(List.of()), this::measureThroughput));
        if (options.nginx().isPresent()) {
            stages.add(new Stage("TLS node, and nginx with TLS in front of the bare server", List.of(Scenario.HTTPS),
                    List.of(Configuration.TLS_NODE, Configuration.NGINX_TLS), List.of(certificate().nodeArgs()),
                    this::measureHttps));
        } else {
            results.put(Row.skipped(Scenario.HTTPS, Configuration.NGINX_TLS, "nginx is not installed (or --nginx "
                    + "none)"));
            results.put(Row.skipped(Scenario.HTTPS, Configuration.TLS_NODE, "nginx is not installed (or --nginx "
                    + "none): nothing to compare with"));
        }
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

    // ---- cluster size ------------------------------------------------------------------------------------------

    /**
     * One cluster per {@code --scale-sizes} entry, one after the other, each alone on the machine: how long it takes
     * to form, then each node's cluster traffic and CPU, at rest and under the even-load scenario's load. A failure
     * costs that size's row only.
     */
    private void measureScale() {
        if (!options.scenarios().contains(Scenario.SCALE)) {
            options.scaleSizes().forEach(size -> results.put(ScaleRow.skipped(size, "not selected (--only)")));
            return;
        }
        for (int size : options.scaleSizes()) {
            log.println("[bench] cluster of " + size + " nodes");
            try (NodeCluster cluster = NodeCluster.start(nodeJar, addresses, ports,
                    Collections.nCopies(size, List.of("--capacity", Integer.toString(options.capacity()))),
                    serverDir.resolve("scale-" + size))) {
                log.printf("[bench]   %d nodes formed %.1f s after the last launch%n", size,
                        cluster.formed().toMillis() / 1000.0);
                ScaleRow row = measureScale(cluster);
                results.put(row);
                log.printf("[bench]   per node at rest: %.1f msgs/s sent, %.1f received, %.1f KB/s sent, "
                                + "%.3f cores%n", row.atRest().messagesSent(), row.atRest().messagesReceived(),
                        row.atRest().bytesSent() / 1000, row.atRest().cpuCores());
                if (row.hasLoadNumbers()) {
                    log.printf("[bench]   per node under %s rps: %.1f msgs/s sent, %.1f received, %.1f KB/s sent, "
                                    + "%.3f cores; %s errors%n", Format.rate(row.loadRate()),
                            row.underLoad().messagesSent(), row.underLoad().messagesReceived(),
                            row.underLoad().bytesSent() / 1000, row.underLoad().cpuCores(),
                            Format.count(row.load().totalErrors()));
                } else {
                    log.println("[bench]   under load: " + row.loadMissing().orElseThrow());
                }
            } catch (Exception | AssertionError e) {
                log.println("[bench] cluster of " + size + " nodes failed: " + e);
                e.printStackTrace(log);
                results.put(ScaleRow.failed(size, firstLine(e)));
            }
        }
    }

    private ScaleRow measureScale(NodeCluster cluster) throws InterruptedException {
        int size = cluster.nodes().size();
        // a fresh cluster moves its sessions' segments and warms its JVMs up: let it, before counting it at rest
        Thread.sleep(options.warmup().multipliedBy(Sizing.FIRST_WARMUP_FACTOR).toMillis());
        settle(cluster.handles());
        CpuSample restCpuStart = CpuSample.take(cluster.handles());
        List<TrafficSample> restStart = TrafficSample.take(cluster.nodes());
        Thread.sleep(options.measure().toMillis());
        TrafficRates atRest = TrafficRates.between(restStart, TrafficSample.take(cluster.nodes()));
        CpuUse restCpu = restCpuStart.until(CpuSample.take(cluster.handles()));

        double rate = sizing.scaleRate();
        warmed.add(cluster);
        AtomicReference<List<TrafficSample>> start = new AtomicReference<>();
        AtomicReference<List<TrafficSample>> end = new AtomicReference<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Run run = openLoop(cluster, DnsSpread.even(cluster.targets(), Scenario.SCALE.ordinal() + size),
                options.workPath(), rate, cluster.handles(), List.of(
                        new TimedAction(Duration.ZERO, () -> sample(cluster, start, failure)),
                        new TimedAction(options.measure(), () -> sample(cluster, end, failure))));
        if (start.get() == null || end.get() == null) {
            return ScaleRow.restOnly(size, cluster.formed(), atRest, restCpu, rate, "the nodes' traffic under load "
                    + "could not be read at both ends of the window: " + (failure.get() == null ? "no sample taken"
                    : failure.get().getMessage()));
        }
        return ScaleRow.measured(size, cluster.formed(), atRest, TrafficRates.between(start.get(), end.get()), rate,
                run.measurement(), restCpu, run.cpu());
    }

    /** A sample taken on the load's action thread, which would drop what it throws: kept for the failure. */
    private static void sample(NodeCluster cluster, AtomicReference<List<TrafficSample>> into,
                               AtomicReference<RuntimeException> failure) {
        try {
            into.set(TrafficSample.take(cluster.nodes()));
        } catch (RuntimeException e) {
            failure.set(e);
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

    /**
     * One hop's price, in the same run: node A forwards (nearly) every request to node B. Closed-loop /hello with one
     * client to B directly, through nginx and through A, taking turns; then closed-loop throughput through A and
     * through nginx, with the proxies' CPU.
     */
    private void measureHops(NodeCluster pair) {
        NodeProcess a = pair.node(0);
        NodeProcess b = pair.node(1);
        Nginx nginx = null;
        if (options.nginx().isPresent()) {
            String bind = addresses.next();
            nginx = Nginx.start(options.nginx().get(), bind, ports.http(bind), List.of(b.url()),
                    serverDir.resolve("nginx-" + pair.name()));
            log.println("[bench] nginx on " + nginx.url() + " in front of " + b.url());
        } else {
            for (Configuration configuration : List.of(Configuration.HOP_NGINX, Configuration.FORWARDING_NGINX)) {
                results.put(Row.skipped(configuration == Configuration.HOP_NGINX ? Scenario.HOP : Scenario.FORWARDING,
                        configuration, "nginx is not installed (or --nginx none)"));
            }
        }
        try {
            List<Configuration> hops = new ArrayList<>(List.of(Configuration.HOP_DIRECT, Configuration.HOP_BALLAST));
            List<Target> hopTargets = new ArrayList<>(List.of(b.target(), a.target()));
            List<List<ProcessHandle>> hopServers = new ArrayList<>(List.of(List.of(b.handle()),
                    List.of(a.handle(), b.handle())));
            if (nginx != null) {
                hops.add(1, Configuration.HOP_NGINX);
                hopTargets.add(1, nginx.target());
                hopServers.add(1, Stream.concat(nginx.handles().stream(), Stream.of(b.handle())).toList());
            }
            Run[] hopRuns = takeTurns(hopTargets, hopServers, new ClosedLoopLoad(options.timeout()), 1,
                    Sizing.HOP_WARMUP_FACTOR);
            for (int i = 0; i < hops.size(); i++) {
                Measurement m = hopRuns[i].measurement();
                Configuration configuration = hops.get(i);
                // B's rare own forward does not count as direct; through A, only what A forwarded counts as a hop
                Histogram latencies = configuration == Configuration.HOP_DIRECT ? m.local()
                        : configuration == Configuration.HOP_BALLAST ? m.forwarded() : m.latencies();
                record(Row.measured(Scenario.HOP, configuration, Double.NaN, m, latencies, hopRuns[i].cpu(),
                        Set.of()));
            }

            List<Configuration> proxies = new ArrayList<>(List.of(Configuration.FORWARDING_BALLAST));
            List<Target> proxyTargets = new ArrayList<>(List.of(a.target()));
            List<List<ProcessHandle>> proxyServers = new ArrayList<>(List.of(List.of(a.handle())));
            if (nginx != null) {
                proxies.add(Configuration.FORWARDING_NGINX);
                proxyTargets.add(nginx.target());
                proxyServers.add(nginx.handles());
            }
            Run[] proxyRuns = takeTurns(proxyTargets, proxyServers, new ClosedLoopLoad(options.timeout()),
                    options.concurrency(), 1);
            for (int i = 0; i < proxies.size(); i++) {
                Measurement m = proxyRuns[i].measurement();
                record(Row.measured(Scenario.FORWARDING, proxies.get(i), Double.NaN, m, m.latencies(),
                        proxyRuns[i].cpu(), Set.of()));
            }
        } finally {
            if (nginx != null) {
                nginx.close();
            }
        }
    }

    /**
     * Closed-loop /hello to each of {@code targets} in turn, rounds of the throughput scenario's length, so that a
     * change in the machine's other load falls on all alike; each warmed up once, first.
     *
     * @param servers      for each target, the processes whose CPU counts
     * @param warmupFactor how many times the usual warm-up each target gets before its first round
     */
    private Run[] takeTurns(List<Target> targets, List<List<ProcessHandle>> servers, ClosedLoopLoad load,
                            int concurrency, int warmupFactor) {
        Run[] totals = new Run[targets.size()];
        settle(servers.stream().flatMap(List::stream).distinct().toList());
        int rounds = throughputRounds(options.measure());
        Duration round = options.measure().dividedBy(rounds);
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < targets.size(); i++) {
                Duration warmup = r > 0 ? Duration.ZERO : options.warmup().multipliedBy(warmupFactor);
                Run run = closedLoop(load, targets.get(i), concurrency, warmup, round, servers.get(i));
                totals[i] = totals[i] == null ? run : totals[i].plus(run);
            }
        }
        return totals;
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

    /** Closed-loop /hello to one Ballast node and to the bare server, in turns ({@link #inTurns}). */
    private void measureThroughput(NodeCluster single) {
        String bind = addresses.next();
        try (BareServerProcess bare = BareServerProcess.start(bareClassPath, options.jvmOptions(), bind,
                ports.http(bind), serverDir.resolve("bare").resolve("bare.log"))) {
            log.println("[bench] bare server on " + bare.url());
            inTurns(Scenario.THROUGHPUT, List.of(single.node(0).target(), bare.target()),
                    List.of(single.handles(), List.of(bare.handle())), new ClosedLoopLoad(options.timeout()));
        }
    }

    /**
     * Closed-loop /hello over TLS to one Ballast node with the bench's certificate, and to nginx terminating TLS with
     * the same certificate in front of the bare server, in turns ({@link #inTurns}).
     */
    private void measureHttps(NodeCluster single) {
        String bareBind = addresses.next();
        try (BareServerProcess bare = BareServerProcess.start(bareClassPath, options.jvmOptions(), bareBind,
                ports.http(bareBind), serverDir.resolve("bare-tls").resolve("bare.log"))) {
            String bind = addresses.next();
            try (Nginx nginx = Nginx.startTlsFront(options.nginx().orElseThrow(), bind, ports.http(bind), bare.url(),
                    certificate(), serverDir.resolve("nginx-tls"))) {
                log.println("[bench] nginx TLS on " + nginx.url() + " in front of " + bare.url());
                List<ProcessHandle> front = Stream.concat(nginx.handles().stream(), Stream.of(bare.handle()))
                        .toList();
                inTurns(Scenario.HTTPS, List.of(single.node(0).target(), nginx.target()),
                        List.of(single.handles(), front), new ClosedLoopLoad(options.timeout(),
                                certificate().client()));
            }
        }
    }

    /**
     * Closed-loop /hello to each of {@code targets} (the scenario's two configurations, in order), in alternating
     * rounds (first, second, first, …) so that a change in the machine's other load over time falls on both alike.
     * The rounds follow each other without waiting for a quiet machine; each server is warmed up once, as a fresh
     * one, before its first round; its rows add up its rounds.
     */
    private void inTurns(Scenario scenario, List<Target> targets, List<List<ProcessHandle>> servers,
                         ClosedLoopLoad load) {
        List<Configuration> configurations = scenario.configurations();
        Run[] totals = takeTurns(targets, servers, load, options.concurrency(), Sizing.FIRST_WARMUP_FACTOR);
        for (int i = 0; i < totals.length; i++) {
            Measurement m = totals[i].measurement();
            record(Row.measured(scenario, configurations.get(i), Double.NaN, m, m.latencies(), totals[i].cpu(),
                    Set.of()));
        }
    }

    /** The HTTPS scenario's certificate, made on first use in the servers' directory. */
    private synchronized BenchCertificate certificate() {
        if (certificate == null) {
            certificate = BenchCertificate.create(serverDir.resolve("tls"));
        }
        return certificate;
    }

    /** How many turns each server of the throughput scenario gets: about one per 2 s, at least 2, at most 10. */
    static int throughputRounds(Duration measure) {
        return (int) Math.max(2, Math.min(10, measure.toMillis() / THROUGHPUT_TURN.toMillis()));
    }

    private Run closedLoop(ClosedLoopLoad load, Target target, int concurrency, Duration warmup, Duration measure,
                           List<ProcessHandle> servers) {
        AtomicReference<CpuSample> start = new AtomicReference<>();
        AtomicReference<CpuSample> end = new AtomicReference<>();
        Measurement measurement = load.run(target, HELLO, concurrency,
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

    private static List<String> with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return List.copyOf(all);
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
