package io.ballast.bench.load;

import java.time.Duration;

/**
 * Something done during a measurement, e.g. killing a node at half time.
 *
 * @param at     when, counted from the start of the measured window (after the warm-up)
 * @param action what; runs on a thread of its own, so a slow action never delays the load
 */
public record TimedAction(Duration at, Runnable action) {
}
