package io.ballast.node.demo;

import io.ballast.node.config.ConfigException;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * {@code demo --load skew|even|off}: load for the demo cluster, so that its page has something to show. An open
 * loop (requests are sent when due, whatever the answers do) of {@code /work?ms=100} at {@value #SHARE_OF_CAPACITY}
 * of what the cluster can serve, spread over the nodes as a skewed DNS would (80/10/10) or evenly. Every
 * {@value #REPORT_EVERY_S} s it prints one line: what it sent where, and who served it.
 */
public final class DemoLoad implements AutoCloseable {

    /** The share of the cluster's capacity the load asks for: busy, with room to balance. */
    public static final double SHARE_OF_CAPACITY = 0.7;
    /**
     * The demo nodes' capacity under load when none is given: 336 requests a second for three, which a laptop runs
     * beside a browser (the default capacity of 64 would make it 1344).
     */
    public static final int LOAD_CAPACITY = 16;
    /** How long each request holds a slot at the node that serves it. */
    public static final int WORK_MS = 100;
    static final long REPORT_EVERY_S = 10;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** How the load is spread over the nodes, in the order the demo starts them. */
    public enum Mode {
        OFF, EVEN, SKEW;

        /** {@code skew}, {@code even} or {@code off}, as the flag spells it. */
        public static Mode parse(String value) {
            for (Mode mode : values()) {
                if (mode.flagValue().equals(value)) {
                    return mode;
                }
            }
            throw new ConfigException(FLAG, value, "skew, even or off");
        }

        public String flagValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Weights per node: skew sends 8 requests to the first node for every 1 to each other (80/10/10 of 3). */
        int[] weights(int nodes) {
            int[] weights = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                weights[i] = this == SKEW && i == 0 ? 8 : 1;
            }
            return weights;
        }
    }

    /** The demo's own flag. */
    public static final String FLAG = "--load";

    /**
     * The demo's command line split in two: {@code --load} (or {@code --load=MODE}) for the demo, the rest for every
     * node.
     */
    public record Options(Mode load, List<String> nodeOptions) {

        public static Options parse(String[] args) {
            Mode load = Mode.OFF;
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals(FLAG)) {
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        throw new ConfigException(FLAG + ": missing value (expected: skew, even or off)");
                    }
                    load = Mode.parse(args[++i]);
                } else if (arg.startsWith(FLAG + "=")) {
                    load = Mode.parse(arg.substring(FLAG.length() + 1));
                } else {
                    rest.add(arg);
                }
            }
            return new Options(load, List.copyOf(rest));
        }
    }

    /** Requests a second for {@code nodes} nodes of {@code capacity} each. */
    public static double ratePerSecond(int nodes, int capacity) {
        return SHARE_OF_CAPACITY * nodes * capacity * 1000.0 / WORK_MS;
    }

    /**
     * The order requests go to the nodes in one round of {@link Mode#weights}: smooth weighted round robin, so that
     * the first node's share is spread out, not sent in bursts ({@code 0 0 0 1 0 0 2 0 0 0}-like for skew).
     */
    static int[] rotation(Mode mode, int nodes) {
        int[] weights = mode.weights(nodes);
        int total = 0;
        for (int weight : weights) {
            total += weight;
        }
        int[] current = new int[nodes];
        int[] order = new int[total];
        for (int n = 0; n < total; n++) {
            int best = 0;
            for (int i = 0; i < nodes; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[n] = best;
        }
        return order;
    }

    private final List<URI> targets;
    private final int[] rotation;
    private final double perSecond;
    private final int maxOutstanding;
    private final Consumer<String> out;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, daemon("demo-load-client"));
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).executor(executor).build();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final LongAdder[] sent;
    private final Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
    private final LongAdder forwarded = new LongAdder();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
    private final LongAdder skipped = new LongAdder();
    private final Thread sender;
    private volatile boolean stopping;

    private DemoLoad(Mode mode, List<String> nodeUrls, double perSecond, Consumer<String> out) {
        this.targets = nodeUrls.stream().map(url -> URI.create(url + "/work?ms=" + WORK_MS)).toList();
        this.rotation = rotation(mode, nodeUrls.size());
        this.perSecond = perSecond;
        // a cluster that stops answering must not pile up requests here without end
        this.maxOutstanding = (int) Math.max(100, perSecond * 2);
        this.out = out;
        this.sent = new LongAdder[nodeUrls.size()];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = new LongAdder();
        }
        this.sender = daemon("demo-load").newThread(this::sendWhileRunning);
    }

    /**
     * Starts sending at {@code perSecond} to {@code nodeUrls} (base URLs, e.g. {@code http://127.0.0.1:8081}) as
     * {@code mode} spreads it; {@code out} gets a line every {@value #REPORT_EVERY_S} s.
     */
    public static DemoLoad start(Mode mode, List<String> nodeUrls, double perSecond, Consumer<String> out) {
        if (mode == Mode.OFF) {
            throw new IllegalArgumentException("load mode: off (expected: skew or even)");
        }
        DemoLoad load = new DemoLoad(mode, nodeUrls, perSecond, out);
        load.sender.start();
        return load;
    }

    private void sendWhileRunning() {
        long interval = Math.max(1, Math.round(1e9 / perSecond));
        long next = System.nanoTime();
        long nextReport = next + TimeUnit.SECONDS.toNanos(REPORT_EVERY_S);
        long reported = 0;
        for (long n = 0; !stopping; n++) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (stopping) {
                return;
            }
            send(rotation[(int) (n % rotation.length)]);
            next += interval;
            if (System.nanoTime() >= nextReport) {
                out.accept(report(n + 1 - reported));
                reported = n + 1;
                nextReport += TimeUnit.SECONDS.toNanos(REPORT_EVERY_S);
            }
        }
    }

    private void send(int node) {
        if (outstanding.get() >= maxOutstanding) {
            skipped.increment();
            return;
        }
        outstanding.incrementAndGet();
        sent[node].increment();
        HttpRequest request = HttpRequest.newBuilder(targets.get(node)).timeout(REQUEST_TIMEOUT).GET().build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            outstanding.decrementAndGet();
            if (failure != null || response.statusCode() >= 400) {
                String why = failure != null ? failureName(failure) : Integer.toString(response.statusCode());
                failed.computeIfAbsent(why, k -> new LongAdder()).increment();
                return;
            }
            response.headers().firstValue("X-Served-By")
                    .ifPresent(name -> servedBy.computeIfAbsent(name, k -> new LongAdder()).increment());
            if (response.headers().firstValue("Via").isPresent()) {
                forwarded.increment();
            }
        });
    }

    /**
     * One line: the rate, the shares sent to each node, who served what, forwards and failures so far (by status or
     * exception).
     */
    private String report(long sentSinceLast) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "demo load: %.0f requests/s sent",
                sentSinceLast / (double) REPORT_EVERY_S));
        long total = 0;
        for (LongAdder count : sent) {
            total += count.sum();
        }
        line.append(" (");
        for (int i = 0; i < sent.length; i++) {
            line.append(i == 0 ? "" : ", ").append(percent(sent[i].sum(), total)).append(" to node").append(i + 1);
        }
        long served = servedBy.values().stream().mapToLong(LongAdder::sum).sum();
        line.append("); served by ");
        servedBy.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> line
                .append(entry.getKey()).append(' ').append(percent(entry.getValue().sum(), served)).append(", "));
        line.append(percent(forwarded.sum(), served)).append(" forwarded; ");
        long failures = failed.values().stream().mapToLong(LongAdder::sum).sum();
        line.append(failures).append(" failed");
        if (failures > 0) {
            line.append(" (");
            failed.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> line
                    .append(entry.getKey()).append(": ").append(entry.getValue().sum()).append(", "));
            line.setLength(line.length() - 2);
            line.append(')');
        }
        if (skipped.sum() > 0) {
            line.append(", ").append(skipped.sum()).append(" not sent (too many unanswered)");
        }
        return line.toString();
    }

    /** What went wrong, for the report: the exception's simple name, without the wrapping of the async client. */
    private static String failureName(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause.getClass().getSimpleName();
    }

    private static String percent(long part, long whole) {
        return whole == 0 ? "0%" : Math.round(100.0 * part / whole) + "%";
    }

    /** Stops sending; requests under way are dropped. */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(sender);
        try {
            sender.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
