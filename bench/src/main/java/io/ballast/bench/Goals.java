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
        goals.add(forwardCost(results, 50, 200, "p50"));
        goals.add(forwardCost(results, 99, 1_000, "p99"));
        goals.add(chainThroughput(results));
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

    private static Goal forwardCost(Results results, double percentile, double limitMicros, String name) {
        String statement = "one forward adds <= " + Format.latency(limitMicros) + " at " + name;
        Row local = results.row(Scenario.FORWARD, Configuration.SERVED_LOCALLY);
        Row forwarded = results.row(Scenario.FORWARD, Configuration.FORWARDED);
        Optional<String> missing = missing(local, forwarded);
        if (missing.isEmpty() && (local.okCount() == 0 || forwarded.okCount() == 0)) {
            missing = Optional.of("no " + (local.okCount() == 0 ? "locally served" : "forwarded") + " responses");
        }
        if (missing.isPresent()) {
            return notEvaluated(Scenario.FORWARD, statement, missing.get());
        }
        double added = forwarded.percentileMicros(percentile) - local.percentileMicros(percentile);
        return new Goal(Scenario.FORWARD, statement,
                "forwarded " + Format.latency(forwarded.percentileMicros(percentile)) + " vs local "
                        + Format.latency(local.percentileMicros(percentile)) + ": " + Format.delta(added),
                Format.ratio(Math.max(0, added) / limitMicros) + " of the limit (goal <= 1.00x)",
                Verdict.of(added <= limitMicros), errorNote(List.of(local)));
    }

    private static Goal chainThroughput(Results results) {
        String statement = "full-chain /hello throughput >= 0.85x the bare server's";
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
