package io.ballast.bench.report;

import java.util.Locale;

/** How numbers read in the report. */
public final class Format {

    private Format() {
    }

    /** A latency given in microseconds: {@code 412 µs}, {@code 12.3 ms}, {@code 1.20 s}; {@code –} for NaN. */
    public static String latency(double micros) {
        if (Double.isNaN(micros)) {
            return "–";
        }
        if (Math.abs(micros) < 1_000) {
            return String.format(Locale.ROOT, "%.0f µs", micros);
        }
        if (Math.abs(micros) < 1_000_000) {
            double ms = micros / 1_000;
            return String.format(Locale.ROOT, Math.abs(ms) < 10 ? "%.2f ms" : Math.abs(ms) < 100 ? "%.1f ms"
                    : "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f s", micros / 1_000_000);
    }

    /** A signed latency difference: {@code +172 µs}, {@code -0.40 ms}. */
    public static String delta(double micros) {
        return (micros >= 0 ? "+" : "") + latency(micros);
    }

    /** A share (0 to 1) as a percentage: {@code 33.4%}. */
    public static String percent(double share) {
        if (Double.isNaN(share)) {
            return "–";
        }
        return String.format(Locale.ROOT, share < 0.1 && share > 0 ? "%.2f%%" : "%.1f%%", share * 100);
    }

    /** A rate in requests per second: {@code 336}, {@code 12,345}. */
    public static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "–";
        }
        return String.format(Locale.ROOT, perSecond < 100 ? "%.1f" : "%,.0f", perSecond);
    }

    /** A ratio: {@code 0.61x}. */
    public static String ratio(double ratio) {
        return Double.isNaN(ratio) || Double.isInfinite(ratio) ? "–" : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    public static String count(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    /** A plain decimal with {@code digits} after the point. */
    public static String decimal(double value, int digits) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%." + digits + "f", value);
    }
}
