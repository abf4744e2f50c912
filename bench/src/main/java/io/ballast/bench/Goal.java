package io.ballast.bench;

import io.ballast.bench.report.Verdict;

/**
 * One of the bench's goals, evaluated: reported, never asserted.
 *
 * @param scenario  where it is measured
 * @param statement the goal as the project states it
 * @param measured  the numbers it was judged on
 * @param ratio     the measured ratio that decides it, with the limit: {@code 0.61x (goal <= 0.20x)}
 * @param verdict   MET, NOT MET, or NOT EVALUATED when a row it needs has no numbers
 * @param note      what else a reader should know to judge it (empty when nothing)
 */
public record Goal(Scenario scenario, String statement, String measured, String ratio, Verdict verdict,
                   String note) {
}
