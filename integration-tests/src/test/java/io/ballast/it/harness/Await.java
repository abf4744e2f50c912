package io.ballast.it.harness;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Waiting on a condition instead of sleeping: poll every {@link #POLL_INTERVAL} until it holds or a deadline passes,
 * and on timeout fail with a message that shows the state of the world (every node's view and log, when a
 * {@link TestCluster} describes it).
 *
 * <pre>{@code
 * long killedAt = System.nanoTime();
 * victim.kill();
 * Duration took = Await.atMost(Duration.ofSeconds(5)).since(killedAt).describing(cluster::describe)
 *         .until("both survivors show 2 members", () -> ...);
 * }</pre>
 *
 * <p>{@link #during(Duration)} checks the other way round: that a condition holds at every poll for a whole period.
 */
public final class Await {

    /** How often a condition is checked. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** A check that may throw: a node that does not answer yet simply does not satisfy it. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private final Duration limit;
    private Long startNanos;
    private Supplier<String> state = () -> "";

    private Await(Duration limit) {
        this.limit = limit;
    }

    /** Waits for at most {@code limit}, counted from the call to {@link #until} unless {@link #since} says otherwise. */
    public static Await atMost(Duration limit) {
        return new Await(limit);
    }

    /** Checks for {@code period}, counted from the call to {@link #always}. */
    public static Await during(Duration period) {
        return new Await(period);
    }

    /** Counts the limit from an earlier moment (a {@link System#nanoTime()}), e.g. the instant a node was killed. */
    public Await since(long nanoTime) {
        this.startNanos = nanoTime;
        return this;
    }

    /** What to print on failure besides the condition: typically {@link TestCluster#describe()}. */
    public Await describing(Supplier<String> stateOfTheWorld) {
        this.state = stateOfTheWorld;
        return this;
    }

    /**
     * Polls {@code condition} until it holds and returns how long that took from the start (up to the end of the
     * check that succeeded: an upper bound, within one poll interval and one check of the truth).
     *
     * @param what the condition in words, for the failure message: "both survivors show 2 members"
     * @throws AssertionError when it still does not hold at the deadline
     */
    public Duration until(String what, Condition condition) {
        long start = startNanos != null ? startNanos : System.nanoTime();
        long deadline = start + limit.toNanos();
        if (System.nanoTime() > deadline) {
            // A check now could only tell what holds now, not that it held within the limit.
            throw failure("The limit of " + seconds(limit) + " had passed before the first check of: " + what, null);
        }
        Throwable lastError = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return Duration.ofNanos(System.nanoTime() - start);
                }
                lastError = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for: " + what, e);
            } catch (Exception | AssertionError e) {
                lastError = e;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                throw failure("Timed out after " + seconds(Duration.ofNanos(now - start)) + " (limit "
                        + seconds(limit) + ") waiting for: " + what, lastError);
            }
            pause(Math.min(POLL_INTERVAL.toNanos(), deadline - now));
        }
    }

    /**
     * Checks {@code condition} at every poll for the whole period and fails at the first time it does not hold.
     *
     * @param what the invariant in words: "each cluster's views show only its own 2 members"
     */
    public void always(String what, Condition condition) {
        long start = System.nanoTime();
        long end = start + limit.toNanos();
        while (true) {
            boolean held;
            Throwable error = null;
            try {
                held = condition.holds();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted checking: " + what, e);
            } catch (Exception | AssertionError e) {
                held = false;
                error = e;
            }
            long now = System.nanoTime();
            if (!held) {
                throw failure("Stopped holding after " + seconds(Duration.ofNanos(now - start)) + " of "
                        + seconds(limit) + ": " + what, error);
            }
            if (now >= end) {
                return;
            }
            pause(Math.min(POLL_INTERVAL.toNanos(), end - now));
        }
    }

    private AssertionError failure(String headline, Throwable cause) {
        StringBuilder message = new StringBuilder(headline);
        if (cause != null) {
            message.append("\nlast check failed with: ").append(cause);
        }
        String described;
        try {
            described = state.get();
        } catch (RuntimeException e) {
            described = "(cannot describe the state: " + e + ")";
        }
        if (!described.isEmpty()) {
            message.append("\n\n").append(described);
        }
        return new AssertionError(message.toString(), cause);
    }

    /** Seconds with one decimal, e.g. {@code 4.2 s}. */
    public static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    private static void pause(long nanos) {
        try {
            Thread.sleep(Math.max(1, nanos / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while polling", e);
        }
    }
}
