package io.ballast.bench;

import io.ballast.bench.process.HaProxy;
import io.ballast.bench.process.Nginx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The bench's command line, checked in one place.
 *
 * @param warmup       load before each measured window, not counted
 * @param measure      each measured window
 * @param capacity     every node's {@code --capacity} in the /work scenarios
 * @param workMs       the {@code ms} of {@code /work?ms=N}; with {@code capacity} it sets a node's capacity in
 *                     requests per second: {@code capacity * 1000 / workMs}
 * @param concurrency  clients of the closed-loop throughput scenario
 * @param timeout      a request not answered in this time counts as an error
 * @param outDir       where {@code <date>.md} and {@code <date>-latency.svg} are written
 * @param date         the report's name
 * @param nodeJar      the runnable node jar
 * @param nginx        the nginx binary, or empty to leave nginx out
 * @param haproxy      the haproxy binary, or empty to leave HAProxy out
 * @param jvmOptions   JVM options of every node and of the bare server
 * @param keepLogs     keep the servers' logs (they are kept anyway when a run fails)
 * @param scenarios    the scenarios to run; the others' rows say they were left out
 * @param settle       the longest wait, before each row, for other processes to leave the cores to the bench
 * @param overlapStarts start the next cluster while the current one is measured ({@code --quick}): faster, but
 *                     the starting JVMs take CPU from the measurement
 * @param scaleSizes   the cluster sizes of the scale scenario, in the order they run
 */
public record BenchOptions(Duration warmup, Duration measure, int capacity, int workMs,
                           int concurrency, Duration timeout, Path outDir, String date, Path nodeJar,
                           Optional<Path> nginx, Optional<Path> haproxy, List<String> jvmOptions, boolean keepLogs,
                           Set<Scenario> scenarios, Duration settle, boolean overlapStarts, List<Integer> scaleSizes) {

    public BenchOptions {
        jvmOptions = List.copyOf(jvmOptions);
        scenarios = Set.copyOf(scenarios);
        scaleSizes = List.copyOf(scaleSizes);
    }

    static final Duration FULL_MEASURE = Duration.ofSeconds(20);
    static final Duration FULL_WARMUP = Duration.ofSeconds(5);
    static final Duration QUICK_MEASURE = Duration.ofSeconds(5);
    static final Duration QUICK_WARMUP = Duration.ofSeconds(2);
    static final Duration FULL_SETTLE = Duration.ofSeconds(10);
    static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m");
    static final List<Integer> DEFAULT_SCALE_SIZES = List.of(3, 6, 12);
    /** The largest cluster the scale scenario starts: 30 nodes of 256 MiB heap fit a 24 GiB machine. */
    static final int MAX_SCALE_SIZE = 30;

    static final String USAGE = """
            usage: java -jar bench/target/ballast-bench.jar [options]

            Runs every scenario against every configuration and writes bench/results/<date>.md and
            bench/results/<date>-latency.svg.

              --duration D        each measured window (default 20s; --quick: 5s)
              --warmup D          load before each measured window, not counted (default 5s; --quick: 2s)
              --quick             short windows, and each cluster started while the one before is still
                                  measured: for a look rather than numbers to keep
              --capacity N        every node's --capacity in the /work scenarios (default 8)
              --work-ms N         /work?ms=N in those scenarios (default 100): a node serves capacity*1000/N rps
              --concurrency N     clients of the closed-loop /hello throughput scenario (default 16)
              --timeout D         a request unanswered after D is an error (default 5s)
              --out DIR           where to write the report (default bench/results)
              --date NAME         the report's file name, without .md (default today, e.g. 2026-01-31)
              --node-jar PATH     the node jar (default node/target/ballast-node.jar)
              --nginx PATH|none   the nginx binary (default: found on the PATH or in /usr/sbin); none leaves
                                  nginx out
              --haproxy PATH|none the haproxy binary (default: found on the PATH or in /usr/sbin); none
                                  leaves HAProxy out
              --jvm-options "..." JVM options of every node and of the bare server (default -Xmx256m)
              --keep-logs         keep the servers' logs and print where they are
              --only S,S,...      run only these scenarios: even, skew, skew30, slow, kill, hop, forwarding,
                                  throughput, https, scale
              --scale-sizes N,... the cluster sizes of the scale scenario (default 3,6,12; each 2 to 30)
              --settle D          before each row, wait up to D for other processes to keep fewer than half a
                                  core busy (default 10s; --quick: 0s, no wait)
              --help              this text

            Durations: 500ms, 20s, 1.5s, 2m.
            """;

    /**
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the option, the value and what was expected
     */
    static BenchOptions parse(List<String> args, Path workingDir) {
        Duration measure = null;
        Duration warmup = null;
        boolean quick = false;
        int capacity = 8;
        int workMs = 100;
        int concurrency = 16;
        Duration timeout = Duration.ofSeconds(5);
        Path outDir = null;
        String date = LocalDate.now().toString();
        Path nodeJar = null;
        String nginx = null;
        String haproxy = null;
        List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        boolean keepLogs = false;
        Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
        Duration settle = null;
        List<Integer> scaleSizes = DEFAULT_SCALE_SIZES;
        Iterator<String> it = args.iterator();
        while (it.hasNext()) {
            String option = it.next();
            switch (option) {
                case "--duration" -> measure = positive(option, duration(option, value(option, it)));
                case "--warmup" -> warmup = duration(option, value(option, it));
                case "--quick" -> quick = true;
                case "--capacity" -> capacity = (int) number(option, value(option, it), 1, 100_000);
                case "--work-ms" -> workMs = (int) number(option, value(option, it), 1, 60_000);
                case "--concurrency" -> concurrency = (int) number(option, value(option, it), 1, 10_000);
                case "--timeout" -> timeout = positive(option, duration(option, value(option, it)));
                case "--out" -> outDir = Path.of(value(option, it));
                case "--date" -> date = fileName(option, value(option, it));
                case "--node-jar" -> nodeJar = Path.of(value(option, it));
                case "--nginx" -> nginx = value(option, it);
                case "--haproxy" -> haproxy = value(option, it);
                case "--jvm-options" -> jvmOptions = Arrays.stream(value(option, it).trim().split("\\s+"))
                        .filter(word -> !word.isEmpty()).toList();
                case "--keep-logs" -> keepLogs = true;
                case "--only" -> scenarios = scenarios(option, value(option, it));
                case "--settle" -> settle = duration(option, value(option, it));
                case "--scale-sizes" -> scaleSizes = sizes(option, value(option, it));
                default -> throw new IllegalArgumentException("unknown option '" + option + "' (expected one of "
                        + "those --help lists)");
            }
        }
        if (measure == null) {
            measure = quick ? QUICK_MEASURE : FULL_MEASURE;
        }
        if (warmup == null) {
            warmup = quick ? QUICK_WARMUP : FULL_WARMUP;
        }
        if (settle == null) {
            settle = quick ? Duration.ZERO : FULL_SETTLE;
        }
        Path projectRoot = projectRoot(workingDir);
        if (outDir == null) {
            outDir = projectRoot.resolve("bench").resolve("results");
        }
        if (nodeJar == null) {
            nodeJar = Optional.ofNullable(System.getProperty("ballast.jar")).map(Path::of)
                    .orElse(projectRoot.resolve("node").resolve("target").resolve("ballast-node.jar"));
        }
        Optional<Path> nginxBinary = binary("--nginx", "nginx", nginx, Nginx.find());
        Optional<Path> haproxyBinary = binary("--haproxy", "haproxy", haproxy, HaProxy.find());
        return new BenchOptions(warmup, measure, capacity, workMs, concurrency, timeout,
                outDir.toAbsolutePath().normalize(), date, nodeJar, nginxBinary, haproxyBinary, jvmOptions, keepLogs,
                scenarios, settle, quick, scaleSizes);
    }

    /**
     * The project's root: the directory holding {@code bench/} and {@code node/}, looked for from the working
     * directory upwards (so the bench runs from the root or from {@code bench/}); the working directory otherwise.
     */
    static Path projectRoot(Path workingDir) {
        for (Path dir = workingDir.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("bench")) && Files.isDirectory(dir.resolve("node"))) {
                return dir;
            }
        }
        return workingDir.toAbsolutePath().normalize();
    }

    /** A node's capacity in requests per second in the /work scenarios. */
    public double nodeRate() {
        return capacity * 1000.0 / workMs;
    }

    /** {@code /work?ms=N}. */
    public String workPath() {
        return "/work?ms=" + workMs;
    }

    private static String value(String option, Iterator<String> it) {
        if (!it.hasNext()) {
            throw new IllegalArgumentException(option + ": missing value");
        }
        return it.next();
    }

    private static double number(String option, String text, double min, double max) {
        try {
            double value = Double.parseDouble(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException(option + ": '" + text + "' (expected: a number from " + format(min)
                + " to " + format(max) + ")");
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /** {@code 500ms}, {@code 20s}, {@code 1.5s}, {@code 2m}. */
    static Duration duration(String option, String text) {
        for (String unit : List.of("ms", "s", "m")) {
            if (text.endsWith(unit) && !(unit.equals("s") && text.endsWith("ms"))) {
                try {
                    double amount = Double.parseDouble(text.substring(0, text.length() - unit.length()));
                    double millis = amount * switch (unit) {
                        case "ms" -> 1;
                        case "s" -> 1_000;
                        default -> 60_000;
                    };
                    if (millis >= 0) {
                        return Duration.ofMillis(Math.round(millis));
                    }
                } catch (NumberFormatException e) {
                    // answered below
                }
            }
        }
        throw new IllegalArgumentException(option + ": '" + text + "' (expected: a duration such as 500ms, 20s, "
                + "1.5s or 2m)");
    }

    /** {@code --nginx} or {@code --haproxy}: the binary given, none, or the one found. */
    private static Optional<Path> binary(String option, String program, String value, Optional<Path> found) {
        if (value == null) {
            return found;
        }
        if (value.equals("none")) {
            return Optional.empty();
        }
        if (Files.isExecutable(Path.of(value))) {
            return Optional.of(Path.of(value));
        }
        throw new IllegalArgumentException(option + ": '" + value + "' (expected: an executable " + program
                + ", or none)");
    }

    private static Set<Scenario> scenarios(String option, String text) {
        Set<Scenario> chosen = EnumSet.noneOf(Scenario.class);
        for (String name : text.split(",")) {
            try {
                chosen.add(Scenario.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": '" + name + "' (expected: even, skew, skew30, slow, "
                        + "kill, hop, forwarding, throughput, https or scale, separated by commas)");
            }
        }
        return chosen;
    }

    /** Cluster sizes, {@code 3,6,12}: each from 2 to {@value #MAX_SCALE_SIZE}. */
    private static List<Integer> sizes(String option, String text) {
        List<Integer> sizes = new ArrayList<>();
        for (String size : text.split(",")) {
            sizes.add((int) number(option, size.trim(), 2, MAX_SCALE_SIZE));
        }
        return sizes;
    }

    private static Duration positive(String option, Duration duration) {
        if (duration.isZero()) {
            throw new IllegalArgumentException(option + ": 0 (expected: more than 0)");
        }
        return duration;
    }

    private static String fileName(String option, String text) {
        if (!text.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(option + ": '" + text + "' (expected: letters, digits, '.', '_', '-')");
        }
        return text;
    }
}
