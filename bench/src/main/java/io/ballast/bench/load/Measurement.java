package io.ballast.bench.load;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one measured window. Latencies (microseconds) are those of successful (2xx) responses, counted
 * from when each request was due; failed requests are counted in {@code errors} only.
 *
 * @param seconds   length of the measured window
 * @param sent      requests sent, by target
 * @param ok        2xx responses, by target
 * @param errors    failed requests by target, then by kind ({@code HTTP 503}, {@code refused}, {@code timeout}, …)
 * @param servedBy  2xx responses by the {@code X-Served-By} that came back
 * @param local     latencies of 2xx responses without {@code Via} (served by the node they were sent to)
 * @param forwarded latencies of 2xx responses with {@code Via} (forwarded to a peer)
 * @param sendLag   how late the generator handed each request to the client; large values mean it could not keep
 *                  up (their latency still counts from when they were due)
 * @param warmup    the warm-up before the window, second by second (not counted anywhere else)
 * @param timeline  the window second by second
 */
public record Measurement(double seconds, Map<String, Long> sent, Map<String, Long> ok,
                          Map<String, Map<String, Long>> errors, Map<String, Long> servedBy,
                          Histogram local, Histogram forwarded, Histogram sendLag, Seconds warmup,
                          Seconds timeline) {

    public Measurement {
        sent = Map.copyOf(sent);
        ok = Map.copyOf(ok);
        errors = Map.copyOf(errors);
        servedBy = Map.copyOf(servedBy);
    }

    /** This window and {@code other} as one: counts summed, latencies merged, lengths added. */
    public Measurement plus(Measurement other) {
        Map<String, Map<String, Long>> allErrors = new TreeMap<>();
        for (Map<String, Map<String, Long>> side : List.of(errors, other.errors)) {
            side.forEach((target, byLabel) -> byLabel.forEach((label, count) ->
                    allErrors.computeIfAbsent(target, t -> new TreeMap<>()).merge(label, count, Long::sum)));
        }
        Histogram allLocal = local.copy();
        allLocal.add(other.local);
        Histogram allForwarded = forwarded.copy();
        allForwarded.add(other.forwarded);
        Histogram allLag = sendLag.copy();
        allLag.add(other.sendLag);
        return new Measurement(seconds + other.seconds, sum(sent, other.sent), sum(ok, other.ok), allErrors,
                sum(servedBy, other.servedBy), allLocal, allForwarded, allLag,
                warmup.plus(other.warmup), timeline.plus(other.timeline));
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> total = new TreeMap<>(a);
        b.forEach((key, count) -> total.merge(key, count, Long::sum));
        return total;
    }

    /** Latencies of all 2xx responses, forwarded or not. */
    public Histogram latencies() {
        Histogram all = local.copy();
        all.add(forwarded);
        return all;
    }

    public long totalSent() {
        return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalOk() {
        return ok.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalErrors() {
        return errors.values().stream().flatMap(byLabel -> byLabel.values().stream())
                .mapToLong(Long::longValue).sum();
    }

    /** Errors of requests sent to {@code target}. */
    public long errorsAt(String target) {
        return errors.getOrDefault(target, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    public double sentRate() {
        return totalSent() / seconds;
    }

    public double okRate() {
        return totalOk() / seconds;
    }

    /** The share of 2xx responses that {@code server} served (0 to 1). */
    public double share(String server) {
        long total = totalOk();
        return total == 0 ? 0 : servedBy.getOrDefault(server, 0L) / (double) total;
    }

    /** The share of 2xx responses that were forwarded (0 to 1). */
    public double forwardedShare() {
        long total = totalOk();
        return total == 0 ? 0 : forwarded.getTotalCount() / (double) total;
    }
}
