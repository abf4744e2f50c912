package io.ballast.it.load;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Sums over the outcomes of a load run, and a one-line account of them for assertion messages. */
public final class Tally {

    private final List<Outcome> outcomes;

    public Tally(List<Outcome> outcomes) {
        this.outcomes = List.copyOf(outcomes);
    }

    public int total() {
        return outcomes.size();
    }

    public long count(Predicate<Outcome> which) {
        return outcomes.stream().filter(which).count();
    }

    public long failed() {
        return count(o -> !o.ok());
    }

    /** The share of all requests that {@code node} served. */
    public double shareServedBy(String node) {
        return (double) count(o -> node.equals(o.servedBy())) / total();
    }

    public double forwardedShare() {
        return (double) count(Outcome::forwarded) / total();
    }

    /** The {@code q}-quantile (0..1) of the latency of successful requests, in milliseconds. */
    public double latencyMs(double q) {
        long[] sorted = outcomes.stream().filter(Outcome::ok).mapToLong(Outcome::latencyNanos).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    public Map<String, Long> servedBy() {
        return outcomes.stream().filter(Outcome::ok)
                .collect(Collectors.groupingBy(o -> String.valueOf(o.servedBy()), TreeMap::new,
                        Collectors.counting()));
    }

    /** Failures by status or error, e.g. {@code {503=12, java.net.ConnectException=1}}. */
    public Map<String, Long> failures() {
        return outcomes.stream().filter(o -> !o.ok())
                .collect(Collectors.groupingBy(o -> o.status() == 0 ? o.error() : Integer.toString(o.status()),
                        TreeMap::new, Collectors.counting()));
    }

    @Override
    public String toString() {
        return String.format("%d requests, %d failed %s, served by %s, forwarded %.1f%%, p50 %.1f ms, p99 %.1f ms",
                total(), failed(), failures(), servedBy(), 100 * forwardedShare(), latencyMs(0.5), latencyMs(0.99));
    }
}
