package io.ballast.bench.load;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened to the requests of one phase (warm-up or measured window), recorded from many threads at once:
 * latencies in microseconds (HdrHistogram, 3 significant digits), split by whether the response was forwarded;
 * successes, errors by kind and by the target the request was sent to; who served what.
 */
final class Tally {

    /** Latencies up to two minutes are kept exactly enough; longer ones count as two minutes. */
    static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(2);

    private final Recorder local = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder forwarded = new Recorder(HIGHEST_MICROS, 3);
    private final Recorder sendLag = new Recorder(HIGHEST_MICROS, 3);
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> ok = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> errors = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
    private final Timeline timeline;

    /** A tally of the phase that starts at {@code startNanos} and lasts {@code window}, kept second by second too. */
    Tally(long startNanos, Duration window) {
        this.timeline = new Timeline(startNanos, (int) Math.max(1, (window.toMillis() + 999) / 1000));
    }

    /** A request was handed to the client {@code lagNanos} after it was due. */
    void sent(Target target, long lagNanos) {
        count(sent, target.name());
        sendLag.recordValue(micros(lagNanos));
    }

    /** A 2xx response, complete after {@code latencyNanos} counted from when the request was due. */
    void succeeded(Target target, String server, boolean wasForwarded, long dueNanos, long latencyNanos) {
        timeline.succeeded(dueNanos, latencyNanos);
        count(ok, target.name());
        count(servedBy, server == null ? "(no X-Served-By)" : server);
        (wasForwarded ? forwarded : local).recordValue(micros(latencyNanos));
    }

    /** A non-2xx response, or no response at all. */
    void failed(Target target, String label, long dueNanos) {
        timeline.failed(dueNanos);
        count(errors.computeIfAbsent(target.name(), name -> new ConcurrentHashMap<>()), label);
    }

    private static void count(Map<String, LongAdder> counters, String key) {
        counters.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static long micros(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }

    /**
     * What was recorded, over a window of {@code seconds}, with the second-by-second record of the warm-up before
     * it. Call once, after the last request completed.
     */
    Measurement measurement(double seconds, Tally warmup) {
        Map<String, Map<String, Long>> errorCounts = new TreeMap<>();
        errors.forEach((target, byLabel) -> errorCounts.put(target, counts(byLabel)));
        return new Measurement(seconds, counts(sent), counts(ok), errorCounts, counts(servedBy),
                histogram(local), histogram(forwarded), histogram(sendLag), warmup.timeline.snapshot(),
                timeline.snapshot());
    }

    private static Map<String, Long> counts(Map<String, LongAdder> counters) {
        Map<String, Long> counts = new TreeMap<>();
        counters.forEach((key, adder) -> counts.put(key, adder.sum()));
        return counts;
    }

    private static Histogram histogram(Recorder recorder) {
        Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
        recorder.getIntervalHistogramInto(histogram);
        return histogram;
    }
}
