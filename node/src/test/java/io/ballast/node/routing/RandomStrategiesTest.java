package io.ballast.node.routing;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random pick and power-of-two least loaded, with a seeded generator and a fixed number of picks. */
class RandomStrategiesTest {

    private static final int PICKS = 30_000;

    static Candidate node(String name, int inFlight) {
        return new Candidate(name, inFlight, 10, 1, false);
    }

    static Map<String, Integer> counts(Strategy strategy, List<Candidate> candidates) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < PICKS; i++) {
            counts.merge(strategy.pick(candidates).name(), 1, Integer::sum);
        }
        return counts;
    }

    static void assertNear(double expected, int actual, String what) {
        assertTrue(Math.abs(actual - expected) <= 0.03 * expected,
                what + ": " + actual + " picks (expected: " + expected + " ± 3%)");
    }

    @Test
    void randomPickIsUniform() {
        List<Candidate> candidates = List.of(node("a", 9), node("b", 0), node("c", 3));
        Map<String, Integer> counts = counts(new RandomPick(new SplittableRandom(42)), candidates);
        assertEquals(3, counts.size(), counts.toString());
        counts.forEach((name, n) -> assertNear(PICKS / 3.0, n, name));
    }

    @Test
    void leastLoadedNeverPicksTheMostLoadedOfThree() {
        List<Candidate> candidates = List.of(node("a", 3), node("b", 9), node("c", 1));
        Map<String, Integer> counts = counts(new LeastLoaded(new SplittableRandom(42)), candidates);
        assertFalse(counts.containsKey("b"), counts.toString());
        // of the three pairs, c wins two and a wins one
        assertNear(PICKS * 2 / 3.0, counts.get("c"), "c");
        assertNear(PICKS / 3.0, counts.get("a"), "a");
    }

    @Test
    void leastLoadedOfTwoAlwaysPicksTheLessLoaded() {
        List<Candidate> candidates = List.of(node("a", 5), node("b", 4));
        assertEquals(Map.of("b", PICKS), counts(new LeastLoaded(new SplittableRandom(7)), candidates));
    }

    @Test
    void leastLoadedComparesLoadNotInFlight() {
        List<Candidate> candidates = List.of(new Candidate("small", 2, 4, 1, false),
                new Candidate("big", 10, 64, 1, false));
        assertEquals(Map.of("big", PICKS), counts(new LeastLoaded(new SplittableRandom(7)), candidates));
    }

    @Test
    void leastLoadedSpreadsEvenLoadUniformly() {
        List<Candidate> candidates = List.of(node("a", 2), node("b", 2), node("c", 2));
        Map<String, Integer> counts = counts(new LeastLoaded(new SplittableRandom(42)), candidates);
        assertEquals(3, counts.size(), counts.toString());
        counts.forEach((name, n) -> assertNear(PICKS / 3.0, n, name));
    }

    @Test
    void aSingleCandidateIsAlwaysPicked() {
        List<Candidate> one = List.of(node("only", 10));
        assertEquals(Map.of("only", PICKS), counts(new LeastLoaded(new SplittableRandom(1)), one));
        assertEquals(Map.of("only", PICKS), counts(new RandomPick(new SplittableRandom(1)), one));
    }
}
