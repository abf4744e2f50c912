package io.ballast.bench.load;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A measured window second by second (see {@link Timeline}).
 *
 * @param ok            successes of requests due in each second
 * @param errors        failures of requests due in each second
 * @param slowestMicros the slowest success of each second
 */
public record Seconds(long[] ok, long[] errors, long[] slowestMicros) {

    public Seconds {
        ok = ok.clone();
        errors = errors.clone();
        slowestMicros = slowestMicros.clone();
    }

    /** All errors. */
    public long totalErrors() {
        return Arrays.stream(errors).sum();
    }

    /** The slowest success of all, in microseconds (0 without any). */
    public long slowestOfAll() {
        return Arrays.stream(slowestMicros).max().orElse(0);
    }

    /** Second by second, side by side. */
    Seconds plus(Seconds other) {
        long[] allOk = concat(ok, other.ok);
        long[] allErrors = concat(errors, other.errors);
        long[] allSlowest = concat(slowestMicros, other.slowestMicros);
        return new Seconds(allOk, allErrors, allSlowest);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** One entry per second, {@code ok/errors/slowest}: {@code 336/0/61ms 330/6/4.9s …}. */
    public String text() {
        return IntStream.range(0, ok.length)
                .mapToObj(i -> ok[i] + "/" + errors[i] + "/" + milliseconds(slowestMicros[i]))
                .collect(Collectors.joining(" "));
    }

    private static String milliseconds(long micros) {
        return micros >= 1_000_000 ? String.format(Locale.ROOT, "%.1fs", micros / 1e6)
                : String.format(Locale.ROOT, "%dms", Math.round(micros / 1e3));
    }
}
