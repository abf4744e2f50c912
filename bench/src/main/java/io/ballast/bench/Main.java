package io.ballast.bench;

import io.ballast.bench.report.LatencyChart;
import io.ballast.bench.report.MarkdownReport;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code java -jar bench/target/ballast-bench.jar [options]}: runs the suite and writes the report and its chart.
 * Exit status 0 when every row was measured, 1 when some failed (the report is written anyway and says which),
 * 2 for a bad option.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), Path.of(""), System.out));
    }

    /** Runs the bench as the command line would, writing progress to {@code out}; returns the exit status. */
    public static int run(List<String> args, Path workingDir, PrintStream out) {
        if (args.contains("--help")) {
            out.print(BenchOptions.USAGE);
            return 0;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, workingDir);
        } catch (IllegalArgumentException e) {
            out.println("ballast-bench: " + e.getMessage() + "; see --help");
            return 2;
        }
        Path projectRoot = BenchOptions.projectRoot(workingDir);
        Environment environment = Environment.capture(options, projectRoot);
        Path serverDir;
        try {
            serverDir = Files.createTempDirectory("ballast-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the servers' logs", e);
        }
        out.println("[bench] " + environment.cores() + " cores, load average "
                + environment.loadAverage().orElse("unknown") + "; warm-up " + options.warmup().toMillis()
                + " ms and " + options.measure().toMillis() + " ms measured per row; nginx "
                + options.nginx().map(Path::toString).orElse("left out") + "; HAProxy "
                + options.haproxy().map(Path::toString).orElse("left out") + "; servers' logs in " + serverDir);
        long started = System.nanoTime();
        Suite suite;
        try {
            suite = new Suite(options, serverDir, out);
        } catch (RuntimeException e) {
            out.println("ballast-bench: " + e.getMessage());
            return 1;
        }
        Results results = suite.run();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        List<Goal> goals = Goals.evaluate(results);
        String chartFile = options.date() + "-latency.svg";
        String report = new MarkdownReport(options, results, goals, environment, Environment.currentLoadAverage(), took,
                chartFile).text();
        String chart = new LatencyChart(results, "Ballast benchmark " + options.date()
                + ": latency per scenario and configuration").svg();
        Path reportFile = options.outDir().resolve(options.date() + ".md");
        try {
            Files.createDirectories(options.outDir());
            Files.writeString(reportFile, report, StandardCharsets.UTF_8);
            Files.writeString(options.outDir().resolve(chartFile), chart, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + options.outDir(), e);
        }

        out.println("[bench] goals (reported, never asserted):");
        for (Goal goal : goals) {
            out.println("[bench]   " + goal.verdict() + ": " + goal.scenario().title() + ", " + goal.statement()
                    + " — " + goal.measured() + "; ratio " + goal.ratio());
        }
        out.printf("[bench] report %s and %s written after %d s%n", reportFile, chartFile, took.toSeconds());
        if (results.anyFailed() || options.keepLogs()) {
            out.println("[bench] servers' logs kept in " + serverDir);
        } else {
            deleteRecursively(serverDir);
        }
        return results.anyFailed() ? 1 : 0;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is no reason to fail a finished run
        }
    }
}
