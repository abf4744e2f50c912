package io.ballast.node.limit;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rate each client may send to the whole cluster: {@code perSecond} requests a second on average, and bursts of up
 * to {@code burst} requests at once (a token bucket of that capacity, refilled at that rate).
 *
 * <p>Written {@code RATE/UNIT[,burst=N]} on the command line: {@code 50/s}, {@code 600/m,burst=100}, {@code 10000/h}.
 * Without {@code burst}, a client may burst one second's worth of its rate (at least 1 request).
 */
public record RateLimit(double perSecond, long burst) {

    private static final Pattern SPEC = Pattern.compile("([0-9]{1,9})/(s|m|h)(?:,burst=([0-9]{1,9}))?");

    public RateLimit {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("rate " + perSecond + "/s, burst " + burst + " (expected: > 0 and >= 1)");
        }
    }

    /** Reads {@code 50/s}, {@code 600/m,burst=100} and the like; empty when the text is not one. */
    public static Optional<RateLimit> parse(String text) {
        Matcher matcher = SPEC.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long count = Long.parseLong(matcher.group(1));
        if (count == 0) {
            return Optional.empty();
        }
        double perSecond = switch (matcher.group(2)) {
            case "s" -> count;
            case "m" -> count / 60.0;
            default -> count / 3600.0;
        };
        long burst = matcher.group(3) != null ? Long.parseLong(matcher.group(3)) : Math.max(1, (long) perSecond);
        if (burst == 0) {
            return Optional.empty();
        }
        return Optional.of(new RateLimit(perSecond, burst));
    }

    /** How long an empty bucket takes to fill: the window the {@code RateLimit-Policy} header names. */
    public long windowSeconds() {
        return Math.max(1, (long) Math.ceil(burst / perSecond));
    }

    @Override
    public String toString() {
        return perSecond + "/s,burst=" + burst;
    }
}
