package io.ballast.bench.report;

import io.ballast.bench.BenchOptions;
import io.ballast.bench.Configuration;
import io.ballast.bench.Environment;
import io.ballast.bench.Goal;
import io.ballast.bench.Goals;
import io.ballast.bench.Results;
import io.ballast.bench.Row;
import io.ballast.bench.ScaleRow;
import io.ballast.bench.Scenario;
import io.ballast.bench.Sizing;
import io.ballast.bench.load.CpuUse;
import io.ballast.bench.load.Measurement;
import io.ballast.bench.load.TrafficRates;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The report of one run as Markdown: the goals, how it was measured, then one table per scenario. */
public final class MarkdownReport {

    /** The percentiles every table and the chart show. */
    public static final List<Double> PERCENTILES = List.of(50.0, 90.0, 99.0, 99.9);

    private final BenchOptions options;
    private final Sizing sizing;
    private final Results results;
    private final List<Goal> goals;
    private final Environment environment;
    private final Optional<String> loadAfter;
    private final Duration took;
    private final String chartFile;

    /**
     * @param loadAfter the 1-minute load average when the run ended
     * @param took      how long the whole run took
     * @param chartFile the chart's file name, next to the report
     */
    public MarkdownReport(BenchOptions options, Results results, List<Goal> goals, Environment environment,
                          Optional<String> loadAfter, Duration took, String chartFile) {
        this.options = options;
        this.sizing = new Sizing(options);
        this.results = results;
        this.goals = List.copyOf(goals);
        this.environment = environment;
        this.loadAfter = loadAfter;
        this.took = took;
        this.chartFile = chartFile;
    }

    public String text() {
        StringBuilder md = new StringBuilder();
        md.append("# Ballast benchmark, ").append(options.date()).append("\n\n");
        md.append("Ballast's self-balancing nodes against DNS alone (the same nodes with `--balance off`) and "
                + "against two external balancers in front of those nodes, nginx `least_conn` and HAProxy "
                + "`leastconn`, on one machine over loopback; the price of a hop and of Ballast's handler chain; "
                + "TLS at the edge; and what a node's cluster traffic and CPU cost as the cluster grows. Goals are "
                + "reported here, never asserted.\n\n");
        md.append("Latency chart: [").append(chartFile).append("](").append(chartFile).append(")\n\n");
        goalTable(md);
        howMeasured(md);
        for (Scenario scenario : Scenario.values()) {
            scenario(md, scenario);
        }
        secondBySecond(md);
        md.append("## Latency chart\n\n");
        md.append("p50, p90, p99 and p99.9 of every row, log scale.\n\n");
        md.append("![Latency percentiles per scenario and configuration](").append(chartFile).append(")\n");
        return md.toString();
    }

    private void goalTable(StringBuilder md) {
        md.append("## Goals\n\n");
        md.append("| scenario | goal | measured | ratio | verdict |\n|---|---|---|---|---|\n");
        for (Goal goal : goals) {
            md.append("| ").append(goal.scenario().title()).append(" | ").append(cell(goal.statement()))
                    .append(" | ").append(cell(goal.measured())).append(" | ").append(cell(goal.ratio()))
                    .append(" | **").append(goal.verdict()).append("** |\n");
        }
        md.append("\n");
        long met = goals.stream().filter(goal -> goal.verdict() == Verdict.MET).count();
        md.append(met).append(" of ").append(goals.size()).append(" goals met.");
        List<Goal> noted = goals.stream().filter(goal -> !goal.note().isEmpty()).toList();
        if (!noted.isEmpty()) {
            md.append(" Notes:\n\n");
            for (Goal goal : noted) {
                md.append("- ").append(goal.scenario().title()).append(", ").append(goal.statement()).append(": ")
                        .append(goal.note()).append(".\n");
            }
        } else {
            md.append("\n");
        }
        md.append("\n");
    }

    private void howMeasured(StringBuilder md) {
        md.append("## How it was measured\n\n");
        md.append("- **Machine**: ").append(environment.cores()).append(" cores (").append(environment.cpuModel())
                .append("), ").append(environment.memory()).append(" memory, ").append(environment.os())
                .append(". 1-minute load average ").append(environment.loadAverage().orElse("unknown"))
                .append(" when the run started, ").append(loadAfter.orElse("unknown"))
                .append(" when it ended (the load generator and every server share these cores).\n");
        md.append("- **JVM**: ").append(environment.jvm()).append(" for the bench, the nodes and the bare server; "
                + "nodes and bare server run with `").append(String.join(" ", options.jvmOptions())).append("`, "
                + "each in its own process. nginx: ").append(environment.nginx().orElse("not used"))
                .append(". HAProxy: ").append(environment.haproxy().orElse("not used")).append(".\n");
        md.append("- **Code**: ").append(environment.commit().map(c -> "commit " + c).orElse("unknown commit"))
                .append("; the node jar as built from the working tree.\n");
        md.append("- **Durations**: every row is ").append(seconds(options.warmup())).append(" of warm-up at the "
                + "row's own load (answered, not counted; a fresh cluster's first row and the throughput servers "
                + "warm up ").append(Sizing.FIRST_WARMUP_FACTOR).append("x as long, ")
                .append(seconds(options.warmup().multipliedBy(Sizing.FIRST_WARMUP_FACTOR)))
                .append(", as a new JVM and cluster take a while to settle; what happened in each warm-up is under "
                + "Second by second), then ").append(seconds(options.measure())).append(" measured. The whole run "
                + "took ").append(minutes(took)).append(", starting every cluster afresh (`--cluster "
                + "bench-<random>`, each node on its own loopback address of a random 127.x.y.0/24, free ports, "
                + "`--discovery static:`)").append(options.overlapStarts()
                ? "; `--quick`: each cluster was started while the one before was still being measured, which "
                + "takes CPU from those measurements" : "; each cluster started only after the one before was "
                + "stopped").append(".\n");
        md.append("- **Sizing**: `/work?ms=").append(options.workMs()).append("` holds one of a node's `--capacity "
                + options.capacity() + "` slots for ").append(options.workMs()).append(" ms without holding a "
                + "thread, so a node serves at most ").append(Format.rate(sizing.nodeRate())).append(" rps and three "
                + "nodes ").append(Format.rate(sizing.clusterRate())).append(" rps, whatever the CPU: I/O-bound by "
                + "design, so that the 2-core machine is not the bottleneck (see the CPU column). Even load and "
                + "skew run at 70% of that, the light skew at 30%, the slow node and the killed node at 50%.\n");
        md.append("- **Quiet machine**: ").append(options.settle().isZero() ? "no wait for other processes"
                : "before each row the bench waited up to " + seconds(options.settle()) + " for other processes to "
                + "keep fewer than half a core busy (measuring anyway after that)").append(".\n");
        md.append(otherLoad());
        md.append("- **Load generator**: open loop at a fixed arrival rate (request *i* is due at *start + i/rate* "
                + "and sent then, answered or not), latency counted from when the request was due, so a server "
                + "that stalls cannot hide its queue. Each request goes to a node drawn at random by the DNS "
                + "weights. JDK `HttpClient`, HTTP/1.1 with keep-alive, asynchronous on 4 threads (the closed loop "
                + "of the throughput scenario uses a leaner client, see there); timeout ")
                .append(seconds(options.timeout())).append(". Latencies are HdrHistogram (µs, 3 significant "
                + "digits) of successful (2xx) responses; non-2xx responses, connection failures and timeouts are "
                + "errors, counted by the address the request was sent to. `X-Served-By` gives the share served "
                + "per node; `Via` marks a forwarded response.\n");
        md.append("- **nginx**: one worker, `upstream { least_conn; server …; keepalive 64; }`, "
                + "`proxy_http_version 1.1`, `proxy_set_header Connection \"\"`, no access log, retries on the "
                + "next server on connection errors (its default); in front of the same three nodes with "
                + "`--balance off`, all load sent to it.\n");
        md.append("- **HAProxy**: one process with one thread (`nbthread 1`), `balance leastconn`, "
                + "`option http-keep-alive`, `http-reuse always`, `retries 3` with `option redispatch 1` (a failed "
                + "connection is retried on another node), TCP checks every second (`inter 1s fall 2 rise 2`), no "
                + "logging, run in the foreground (`-db`); in front of the same three nodes, all load sent to it, "
                + "after nginx has been stopped.\n");
        md.append("- **CPU column**: cores kept busy on average during the window (CPU seconds per second) by the "
                + "servers measured (nodes, nginx or HAProxy, bare server), by the bench itself, and by every other process "
                + "on the machine (from /proc/stat), of ").append(environment.cores()).append(" cores. A row whose "
                + "total is near ").append(environment.cores()).append(" ran on a saturated machine.\n\n");
    }

    /** How much CPU the machine's other processes took during the measured windows, on average and at most. */
    private String otherLoad() {
        List<Row> measured = results.all().stream()
                .filter(row -> row.hasNumbers() && !Double.isNaN(row.cpu().otherCores())).toList();
        if (measured.isEmpty()) {
            return "";
        }
        double average = measured.stream().mapToDouble(row -> row.cpu().otherCores()).average().orElse(0);
        Row busiest = measured.stream()
                .max(Comparator.comparingDouble(row -> row.cpu().otherCores())).orElseThrow();
        return "- **Other load**: processes other than the bench and the servers it measured (other users' work, "
                + "idle clusters, the next cluster starting under `--quick`) kept " + Format.decimal(average, 2)
                + " cores busy on average during the measured windows, at most "
                + Format.decimal(busiest.cpu().otherCores(), 2) + " (" + busiest.scenario().title() + ", "
                + busiest.configuration().label() + "). A row during which others kept more than "
                + Format.decimal(Row.DISTURBING_CORES, 1) + " cores busy is marked disturbed in its CPU column, "
                + "and so are the goals that rest on it: its numbers say as much about the others as about the "
                + "servers.\n";
    }

    private void scenario(StringBuilder md, Scenario scenario) {
        md.append("## ").append(scenario.title()).append("\n\n");
        md.append(sizing.setup(scenario)).append("\n\n");
        if (scenario == Scenario.SCALE) {
            scaleTable(md);
            return;
        }
        md.append("| configuration | rate (rps): target / sent / ok | errors | p50 | p90 | p99 | p99.9 | max "
                + "| served by | forwarded | CPU cores: servers / bench / others |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row row : results.rows(scenario)) {
            md.append(row(row));
        }
        md.append("\n");
        if (scenario == Scenario.THROUGHPUT || scenario == Scenario.FORWARDING || scenario == Scenario.HTTPS) {
            md.append(cpuPerRequest(scenario)).append("\n\n");
        }
        for (Goal goal : Goals.of(scenario, goals)) {
            md.append("- **").append(goal.verdict()).append("**: ").append(goal.statement()).append(" — ")
                    .append(goal.measured()).append("; ratio ").append(goal.ratio());
            if (!goal.note().isEmpty()) {
                md.append(". ").append(goal.note());
            }
            md.append(".\n");
        }
        md.append("\n");
    }

    /** The scale scenario: two lines per cluster size, at rest and under load. */
    private void scaleTable(StringBuilder md) {
        md.append("| nodes | formed | | cluster msgs/s per node: sent / received | cluster KB/s per node: sent / "
                + "received | CPU cores per node (busiest) | client load (rps): target / ok · errors · p99 "
                + "| CPU cores: bench / others |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (ScaleRow row : results.scaleRows()) {
            if (!row.hasNumbers()) {
                md.append("| ").append(row.size()).append(" | ").append(cell(row.missing().orElseThrow()))
                        .append(" |  |  |  |  |  |  |\n");
                continue;
            }
            md.append("| ").append(row.size()).append(" | ")
                    .append(Format.decimal(row.formed().toMillis() / 1000.0, 1)).append(" s | at rest | ")
                    .append(traffic(row.atRest())).append(" | none | ").append(benchAndOthers(row.restCpu()))
                    .append(" |\n");
            if (!row.hasLoadNumbers()) {
                md.append("| ").append(row.size()).append(" |  | under load | ")
                        .append(cell(row.loadMissing().orElseThrow())).append(" |  |  |  |  |\n");
                continue;
            }
            Measurement m = row.load();
            md.append("| ").append(row.size()).append(" |  | under load | ").append(traffic(row.underLoad()))
                    .append(" | ").append(Format.rate(row.loadRate())).append(" / ")
                    .append(Format.rate(m.totalOk() / m.seconds())).append(" · ")
                    .append(Format.count(m.totalErrors())).append(" · ")
                    .append(Format.latency(m.latencies().getTotalCount() == 0 ? Double.NaN
                            : m.latencies().getValueAtPercentile(99))).append(" | ")
                    .append(benchAndOthers(row.loadCpu())).append(" |\n");
        }
        md.append("\n");
    }

    private static String traffic(TrafficRates rates) {
        return Format.decimal(rates.messagesSent(), 1) + " / " + Format.decimal(rates.messagesReceived(), 1) + " | "
                + Format.decimal(rates.bytesSent() / 1000, 1) + " / " + Format.decimal(rates.bytesReceived() / 1000, 1)
                + " | " + Format.decimal(rates.cpuCores(), 3) + " (" + Format.decimal(rates.maxCpuCores(), 3) + ")";
    }

    private static String benchAndOthers(CpuUse cpu) {
        String others = Format.decimal(cpu.otherCores(), 2);
        return Format.decimal(cpu.benchCores(), 2) + " / " + (cpu.otherCores() > Row.DISTURBING_CORES
                ? "**" + others + "** (disturbed)" : others);
    }

    private String row(Row row) {
        String label = row.configuration().label();
        if (row.measurement().isEmpty()) {
            return "| " + label + " | " + cell(row.missing().orElse("no numbers")) + " |  |  |  |  |  |  |  |  |  |\n";
        }
        Measurement m = row.measurement().get();
        String rate = (Double.isNaN(row.targetRate()) ? "closed loop" : Format.rate(row.targetRate())) + " / "
                + Format.rate(m.sentRate()) + " / " + Format.rate(row.okCount() / m.seconds());
        StringBuilder line = new StringBuilder("| ").append(label).append(" | ").append(rate).append(" | ")
                .append(cell(errors(row, m))).append(" | ");
        for (double percentile : PERCENTILES) {
            line.append(Format.latency(row.percentileMicros(percentile))).append(" | ");
        }
        line.append(Format.latency(row.latencies().map(h -> (double) h.getMaxValue()).orElse(Double.NaN)))
                .append(" | ").append(servedBy(m)).append(" | ").append(Format.percent(m.forwardedShare()))
                .append(" | ").append(cpu(row)).append(" |\n");
        return line.toString();
    }

    /** {@code 0}, or the total and where: {@code 1,234 — node1: 1,200 HTTP 503; node3 (killed): 34 refused}. */
    private static String errors(Row row, Measurement m) {
        if (m.totalErrors() == 0) {
            return "0";
        }
        String where = new TreeSet<>(m.errors().keySet()).stream()
                .map(target -> target + (row.dead().contains(target) ? " (killed)" : "") + ": "
                        + m.errors().get(target).entrySet().stream()
                        .map(entry -> Format.count(entry.getValue()) + " " + entry.getKey())
                        .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("; "));
        return Format.count(m.totalErrors()) + " (" + Format.percent(m.totalErrors() / (double) m.totalSent())
                + ") — " + where;
    }

    private static String servedBy(Measurement m) {
        return new TreeSet<>(m.servedBy().keySet()).stream()
                .map(server -> server + " " + Format.percent(m.share(server)))
                .collect(Collectors.joining(" · "));
    }

    private static String cpu(Row row) {
        CpuUse cpu = row.cpu();
        String others = Format.decimal(cpu.otherCores(), 2);
        return Format.decimal(cpu.serverCores(), 2) + " / " + Format.decimal(cpu.benchCores(), 2) + " / "
                + (row.disturbed() ? "**" + others + "** (disturbed)" : others);
    }

    /** Server and bench CPU per request in closed-loop rows: the servers' price without the client's share. */
    private String cpuPerRequest(Scenario scenario) {
        List<String> parts = new ArrayList<>();
        for (Row row : results.rows(scenario)) {
            if (row.okCount() > 0 && !Double.isNaN(row.cpu().serverSeconds())) {
                parts.add(row.configuration().label() + ": server " + Format.decimal(
                        row.cpu().serverSeconds() * 1e6 / row.okCount(), 0) + " µs, bench " + Format.decimal(
                        row.cpu().benchSeconds() * 1e6 / row.okCount(), 0) + " µs");
            }
        }
        return parts.isEmpty() ? "CPU per request: unknown."
                : "CPU time per request — " + String.join("; ", parts) + ".";
    }

    /**
     * Every row's window second by second, and how late the generator sent its requests: where errors and slow
     * answers happened in time, and whether the generator kept up.
     */
    private void secondBySecond(StringBuilder md) {
        md.append("## Second by second\n\n");
        md.append("Each measured window, one entry per second: successes / errors / slowest success, by when the "
                + "requests were due (the throughput scenario: its turns one after the other). Send lag: how late "
                + "the generator handed requests to the client against their schedule (p99 / max); a large lag "
                + "would mean the generator could not keep up, though latency still counts from the due time.\n\n");
        for (Row row : results.all()) {
            if (row.measurement().isEmpty()) {
                continue;
            }
            Measurement m = row.measurement().get();
            md.append("- **").append(row.scenario().title()).append(", ").append(row.configuration().label());
            md.append("** (send lag ");
            if (Double.isNaN(row.targetRate())) {
                md.append("none: closed loop");
            } else {
                md.append(Format.latency(m.sendLag().getValueAtPercentile(99))).append(" / ")
                        .append(Format.latency(m.sendLag().getMaxValue()));
            }
            md.append("; warm-up ").append(m.warmup().ok().length).append(" s: ")
                    .append(Format.count(m.warmup().totalErrors())).append(" errors, slowest ")
                    .append(Format.latency(m.warmup().slowestOfAll())).append("): ").append(m.timeline().text())
                    .append("\n");
        }
        md.append("\n");
    }

    /** Escapes what would break a table cell. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private static String seconds(Duration duration) {
        return Format.decimal(duration.toMillis() / 1000.0, duration.toMillis() % 1000 == 0 ? 0 : 1) + " s";
    }

    private static String minutes(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds < 60 ? seconds + " s" : seconds / 60 + " min " + seconds % 60 + " s";
    }
}
