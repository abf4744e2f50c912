package io.ballast.bench;

import io.ballast.bench.load.Measurement;
import io.ballast.bench.report.Format;
import io.ballast.bench.report.Verdict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The project's goals for Ballast, judged on a run's rows. */
public final class Goals {

    /** The node that the slow-node scenario starts with {@code --work-factor 3}. */
    static final String SLOW_NODE = "node3";

    private Goals() {
    }

    /** Every goal, in the order of the scenarios, each MET, NOT MET or NOT EVALUATED. */
    public static List<Goal> evaluate(Results results) {
        List<Goal> goals = new ArrayList<>();
        goals.add(p99Against(results, Scenario.EVEN, Configuration.NGINX, 1.05));
        goals.add(p99Against(results, Scenario.EVEN, Configuration.HAPROXY, 1.05));
        goals.add(evenForwardedShare(results));
        goals.add(noFailures(results, Scenario.EVEN));
        goals.add(p99Against(results, Scenario.SKEW, Configuration.NGINX, 1.0));
        goals.add(p99Against(results, Scenario.SKEW, Configuration.HAPROXY, 1.0));
        goals.add(noFailures(results, Scenario.SKEW));
        goals.add(p99Against(results, Scenario.SKEW30, Configuration.NGINX, 1.02));
        goals.add(noFailures(results, Scenario.SKEW30));
        goals.add(p99Against(results, Scenario.SLOW, Configuration.NGINX, 0.5));
        goals.add(slowNodeShare(results));
        goals.add(noFailures(results, Scenario.SLOW));
        goals.add(killedNodeSurvivors(results));
        goals.add(hopCost(results, 50, "p50", 1.5));
        goals.add(hopCost(results, 99, "p99", 2.0));
        goals.add(forwardingPerCore(results));
        goals.add(chainThroughput(results));
        goals.add(httpsThroughput(results));
        return goals;
    }

    /** The goals of one scenario. */
    public static List<Goal> of(Scenario scenario, List<Goal> goals) {
        return goals.stream().filter(goal -> goal.scenario() == scenario).toList();
    }

    /** Ballast's p99 against an external balancer's, in the same scenario: at most {@code limit} times it. */
    private static Goal p99Against(Results results, Scenario scenario, Configuration balancer, double limit) {
        String name = balancer == Configuration.NGINX ? "nginx least_conn" : "HAProxy leastconn";
        String statement = "p99 <= " + (limit == 1.0 ? "" : Format.ratio(limit) + " ") + name + "'s";
        return p99Ratio(scenario, statement, results.row(scenario, Configuration.BALLAST), balancer.shortLabel(),
                results.row(scenario, balancer), limit);
    }

    /**
     * No request fails at a node that is alive: latencies count answered requests only, so a rule that sheds load
     * must not look fast by it. DNS alone's failures are given for comparison.
     */
    private static Goal noFailures(Results results, Scenario scenario) {
        String statement = "0 failed requests";
        Row ballast = results.row(scenario, Configuration.BALLAST);
        Optional<String> missing = missing(ballast);
        if (missing.isPresent()) {
            return notEvaluated(scenario, statement, missing.get());
        }
        Measurement measurement = ballast.measurement().orElseThrow();
        long errors = ballast.errorsAtSurvivors();
        Row dns = results.row(scenario, Configuration.DNS_ALONE);
        String dnsNote = dns.measurement().map(m -> "DNS alone failed " + Format.count(m.totalErrors()) + " of "
                + Format.count(m.totalSent()) + " (" + Format.percent(m.totalErrors()
                / (double) Math.max(1, m.totalSent())) + ")").orElse("DNS alone " + dns.missing().orElse("not run"));
        String disturbed = ballast.disturbed() ? "; Ballast was measured while other processes kept "
                + Format.decimal(ballast.cpu().otherCores(), 2) + " cores busy: a disturbed measurement" : "";
        return new Goal(scenario, statement, "Ballast failed " + Format.count(errors) + " of "
                + Format.count(measurement.totalSent()), errors == 0 ? "0 (goal 0)" : Format.count(errors)
                + " (goal 0)", Verdict.of(errors == 0), dnsNote + disturbed);
    }

    private static Goal p99Ratio(Scenario scenario, String statement, Row ballast, String otherName, Row other,
                                 double limit) {
        Optional<String> missing = missing(ballast, other);
        if (missing.isPresent()) {
            return notEvaluated(scenario, statement, missing.get());
        }
        double mine = ballast.percentileMicros(99);
        double theirs = other.percentileMicros(99);
        double ratio = mine / theirs;
        return new Goal(scenario, statement,
                "Ballast " + Format.latency(mine) + " vs " + otherName + " " + Format.latency(theirs),
                Format.ratio(ratio) + " (goal <= " + Format.ratio(limit) + ")", Verdict.of(ratio <= limit),
                errorNote(List.of(ballast, other)));
    }

    private static Goal evenForwardedShare(Results results) {
        String statement = "forwarded share <= 10% (a balancer hops 100%)";
        Row ballast = results.row(Scenario.EVEN, Configuration.BALLAST);
        Optional<String> missing = missing(ballast);
        if (missing.isPresent()) {
            return notEvaluated(Scenario.EVEN, statement, missing.get());
        }
        double share = ballast.measurement().orElseThrow().forwardedShare();
        return new Goal(Scenario.EVEN, statement, "Ballast forwarded " + Format.percent(share),
                Format.ratio(share / 0.10) + " of the limit (goal <= 1.00x)", Verdict.of(share <= 0.10),
                errorNote(List.of(ballast)));
    }

    private static Goal slowNodeShare(Results results) {
        String statement = "the slow node's share <= 5%";
        Row ballast = results.row(Scenario.SLOW, Configuration.BALLAST);
        Optional<String> missing = missing(ballast);
        if (missing.isPresent()) {
            return notEvaluated(Scenario.SLOW, statement, missing.get());
        }
        double mine = ballast.measurement().orElseThrow().share(SLOW_NODE);
        List<String> others = new ArrayList<>();
        for (Configuration balancer : List.of(Configuration.NGINX, Configuration.HAPROXY)) {
            results.row(Scenario.SLOW, balancer).measurement().ifPresent(m ->
                    others.add(Format.percent(m.share(SLOW_NODE)) + " with " + balancer.shortLabel()));
        }
        return new Goal(Scenario.SLOW, statement,
                SLOW_NODE + " served " + Format.percent(mine) + " with Ballast"
                        + (others.isEmpty() ? "" : " vs " + String.join(", ", others)),
                Format.ratio(mine / 0.05) + " of the limit (goal <= 1.00x)", Verdict.of(mine <= 0.05),
                errorNote(List.of(ballast)));
    }

    private static Goal killedNodeSurvivors(Results results) {
        String statement = "0 errors at the surviving nodes";
        Row ballast = results.row(Scenario.KILL, Configuration.BALLAST);
        Optional<String> missing = missing(ballast);
        if (missing.isPresent()) {
            return notEvaluated(Scenario.KILL, statement, missing.get());
        }
        Measurement measurement = ballast.measurement().orElseThrow();
        long errors = ballast.errorsAtSurvivors();
        long sentToSurvivors = measurement.sent().entrySet().stream()
                .filter(entry -> !ballast.dead().contains(entry.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        long dnsPart = ballast.dead().stream().mapToLong(measurement::errorsAt).sum();
        return new Goal(Scenario.KILL, statement,
                Format.count(errors) + " errors of " + Format.count(sentToSurvivors)
                        + " requests sent to the survivors",
                errors == 0 ? "0 (goal 0)" : Format.count(errors) + " (goal 0)", Verdict.of(errors == 0),
                "DNS's part, requests sent to the killed " + String.join(", ", ballast.dead()) + ": "
                        + Format.count(dnsPart) + " errors" + (ballast.disturbed() ? "; measured while other "
                        + "processes kept " + Format.decimal(ballast.cpu().otherCores(), 2) + " cores busy" : ""));
    }

    /**
     * One forward adds no more than nginx's hop: Ballast's hop row minus the direct row against nginx's, at one
     * percentile. {@code firstStep} is the nearer goal, reported beside it.
     */
    private static Goal hopCost(Results results, double percentile, String name, double firstStep) {
        String statement = "one forward adds <= nginx's hop at " + name;
        Row direct = results.row(Scenario.HOP, Configuration.HOP_DIRECT);
        Row nginx = results.row(Scenario.HOP, Configuration.HOP_NGINX);
        Row ballast = results.row(Scenario.HOP, Configuration.HOP_BALLAST);
        Optional<String> missing = missing(direct, nginx, ballast);
        if (missing.isPresent()) {
            return notEvaluated(Scenario.HOP, statement, missing.get());
        }
        double base = direct.percentileMicros(percentile);
        double mine = ballast.percentileMicros(percentile) - base;
        double theirs = nginx.percentileMicros(percentile) - base;
        double ratio = Math.max(0, mine) / Math.max(1, theirs);
        String step = "first step (<= " + Format.ratio(firstStep) + "): " + (ratio <= firstStep ? "met" : "not met");
        String errors = errorNote(List.of(direct, nginx, ballast));
        return new Goal(Scenario.HOP, statement,
                "Ballast " + Format.delta(mine) + " vs nginx " + Format.delta(theirs) + " over direct "
                        + Format.latency(base),
                Format.ratio(ratio) + " (goal <= 1.00x)", Verdict.of(ratio <= 1.0),
                errors.isEmpty() ? step : step + "; " + errors);
    }

    /** A node forwarding every request sustains at least 0.8x nginx's proxy throughput to the same peer, per core. */
    private static Goal forwardingPerCore(Results results) {
        String statement = "forwarding throughput per proxy core >= 0.8x nginx's";
        Row ballast = results.row(Scenario.FORWARDING, Configuration.FORWARDING_BALLAST);
        Row nginx = results.row(Scenario.FORWARDING, Configuration.FORWARDING_NGINX);
        Optional<String> missing = missing(ballast, nginx);
        if (missing.isEmpty() && (Double.isNaN(ballast.cpu().serverCores())
                || Double.isNaN(nginx.cpu().serverCores()))) {
            missing = Optional.of("the proxies' CPU is unknown");
        }
        if (missing.isPresent()) {
            return notEvaluated(Scenario.FORWARDING, statement, missing.get());
        }
        double mine = ballast.measurement().orElseThrow().okRate() / ballast.cpu().serverCores();
        double theirs = nginx.measurement().orElseThrow().okRate() / nginx.cpu().serverCores();
        double ratio = mine / theirs;
        double raw = ballast.measurement().orElseThrow().okRate() / nginx.measurement().orElseThrow().okRate();
        String note = "raw throughput " + Format.ratio(raw) + " of nginx's; proxy cores busy: Ballast "
                + Format.decimal(ballast.cpu().serverCores(), 2) + ", nginx " + Format.decimal(nginx.cpu().serverCores(), 2);
        String errors = errorNote(List.of(ballast, nginx));
        return new Goal(Scenario.FORWARDING, statement,
                "Ballast " + Format.rate(mine) + " rps per core vs nginx " + Format.rate(theirs) + " rps per core",
                Format.ratio(ratio) + " (goal >= 0.80x)", Verdict.of(ratio >= 0.8),
                errors.isEmpty() ? note : note + "; " + errors);
    }

    private static Goal chainThroughput(Results results) {
        String statement = "full-chain /hello throughput >= 0.95x the bare server's";
        Row chain = results.row(Scenario.THROUGHPUT, Configuration.FULL_CHAIN);
        Row bare = results.row(Scenario.THROUGHPUT, Configuration.BARE);
        Optional<String> missing = missing(chain, bare);
        if (missing.isPresent()) {
            return notEvaluated(Scenario.THROUGHPUT, statement, missing.get());
        }
        double mine = chain.measurement().orElseThrow().okRate();
        double theirs = bare.measurement().orElseThrow().okRate();
        double ratio = mine / theirs;
        double myCpu = chain.cpu().serverSeconds() * 1e6 / chain.okCount();
        double theirCpu = bare.cpu().serverSeconds() * 1e6 / bare.okCount();
        String cpu = Double.isNaN(myCpu) || Double.isNaN(theirCpu) ? ""
                : "server CPU per request: Ballast " + Format.decimal(myCpu, 1) + " µs vs bare "
                + Format.decimal(theirCpu, 1) + " µs (" + Format.ratio(myCpu / theirCpu) + ")";
        String errors = errorNote(List.of(chain, bare));
        return new Goal(Scenario.THROUGHPUT, statement,
                "Ballast " + Format.rate(mine) + " rps vs bare " + Format.rate(theirs) + " rps",
                Format.ratio(ratio) + " (goal >= 0.95x)", Verdict.of(ratio >= 0.95),
                errors.isEmpty() ? cpu : cpu.isEmpty() ? errors : cpu + "; " + errors);
    }

    private static Goal httpsThroughput(Results results) {
        String statement = "HTTPS /hello throughput of a TLS node >= 0.85x nginx terminating TLS in front of the "
                + "bare server";
        Row node = results.row(Scenario.HTTPS, Configuration.TLS_NODE);
        Row nginx = results.row(Scenario.HTTPS, Configuration.NGINX_TLS);
        Optional<String> missing = missing(node, nginx);
        if (missing.isPresent()) {
            return notEvaluated(Scenario.HTTPS, statement, missing.get());
        }
        double mine = node.measurement().orElseThrow().okRate();
        double theirs = nginx.measurement().orElseThrow().okRate();
        double ratio = mine / theirs;
        double myCpu = node.cpu().serverSeconds() * 1e6 / node.okCount();
        double theirCpu = nginx.cpu().serverSeconds() * 1e6 / nginx.okCount();
        String cpu = Double.isNaN(myCpu) || Double.isNaN(theirCpu) ? ""
                : "server CPU per request: Ballast " + Format.decimal(myCpu, 1) + " µs vs nginx and bare "
                + Format.decimal(theirCpu, 1) + " µs (" + Format.ratio(myCpu / theirCpu) + ")";
        String errors = errorNote(List.of(node, nginx));
        return new Goal(Scenario.HTTPS, statement,
                "Ballast " + Format.rate(mine) + " rps vs nginx " + Format.rate(theirs) + " rps",
                Format.ratio(ratio) + " (goal >= 0.85x)", Verdict.of(ratio >= 0.85),
                errors.isEmpty() ? cpu : cpu.isEmpty() ? errors : cpu + "; " + errors);
    }

    private static Goal notEvaluated(Scenario scenario, String statement, String why) {
        return new Goal(scenario, statement, "–", "–", Verdict.NOT_EVALUATED, why);
    }

    /** Why a goal cannot be judged on these rows, or empty when every one has numbers. */
    private static Optional<String> missing(Row... rows) {
        for (Row row : rows) {
            if (!row.hasNumbers()) {
                return Optional.of(row.configuration().label() + " " + row.missing().orElse("has no numbers"));
            }
            if (row.okCount() == 0) {
                return Optional.of(row.configuration().label() + " had no successful response");
            }
        }
        return Optional.empty();
    }

    /**
     * Says which of the rows failed requests (their latencies count answered requests only), and which were
     * measured while other processes took much of the machine.
     */
    private static String errorNote(List<Row> rows) {
        String errors = failedNote(rows);
        String disturbed = rows.stream().filter(Row::disturbed)
                .map(row -> row.configuration().label() + " was measured while other processes kept "
                        + Format.decimal(row.cpu().otherCores(), 2) + " cores busy")
                .collect(Collectors.joining("; "));
        if (disturbed.isEmpty()) {
            return errors;
        }
        disturbed += ": a disturbed measurement";
        return errors.isEmpty() ? disturbed : errors + "; " + disturbed;
    }

    private static String failedNote(List<Row> rows) {
        String failed = rows.stream()
                .filter(row -> row.measurement().map(Measurement::totalErrors).orElse(0L) > 0)
                .map(row -> {
                    Measurement m = row.measurement().orElseThrow();
                    return row.configuration().label() + " failed " + Format.count(m.totalErrors()) + " of "
                            + Format.count(m.totalSent()) + " requests ("
                            + Format.percent(m.totalErrors() / (double) Math.max(1, m.totalSent())) + ")";
                })
                .collect(Collectors.joining("; "));
        return failed.isEmpty() ? "" : failed + "; latencies count answered requests only";
    }
}
