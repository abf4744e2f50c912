package io.ballast.node.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Round robin, smooth weighted round robin and least connections: exact sequences on plain lists. */
class DeterministicStrategiesTest {

    static Candidate node(String name, int inFlight, int weight) {
        return new Candidate(name, inFlight, 10, weight, false);
    }

    static List<String> picks(Strategy strategy, List<Candidate> candidates, int times) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            names.add(strategy.pick(candidates).name());
        }
        return names;
    }

    @Test
    void everyStrategyPicksNothingFromAnEmptyList() {
        for (StrategyName name : StrategyName.values()) {
            assertNull(name.create(new SplittableRandom(42)).pick(List.of()), name.flagValue());
        }
    }

    @Test
    void roundRobinCyclesInListOrder() {
        List<Candidate> abc = List.of(node("a", 9, 1), node("b", 0, 1), node("c", 5, 1));
        assertEquals(List.of("a", "b", "c", "a", "b", "c", "a"), picks(new RoundRobin(), abc, 7));
    }

    @Test
    void weightsFiveOneOneGiveTheNginxSequence() {
        List<Candidate> candidates = List.of(node("a", 0, 5), node("b", 0, 1), node("c", 0, 1));
        List<String> cycle = List.of("a", "a", "b", "a", "c", "a", "a");
        List<String> threeCycles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            threeCycles.addAll(cycle);
        }
        assertEquals(threeCycles, picks(new WeightedRoundRobin(), candidates, 21));
    }

    @Test
    void weightedRoundRobinForgetsALeaverAndSharesByTheNewWeights() {
        WeightedRoundRobin wrr = new WeightedRoundRobin();
        picks(wrr, List.of(node("a", 0, 5), node("b", 0, 1), node("c", 0, 1)), 3);
        List<String> after = picks(wrr, List.of(node("a", 0, 1), node("c", 0, 2)), 30);
        assertEquals(10, after.stream().filter("a"::equals).count());
        assertEquals(20, after.stream().filter("c"::equals).count());
    }

    @Test
    void leastConnectionsPicksFewestInFlight() {
        List<Candidate> candidates = List.of(node("a", 4, 1), node("b", 2, 1), node("c", 5, 1));
        assertEquals(List.of("b", "b", "b", "b"), picks(new LeastConnections(), candidates, 4));
    }

    @Test
    void leastConnectionsCountsInFlightPerUnitOfWeight() {
        // a: 6 per 4 = 1.5, b: 2 per 1 = 2, c: 5 per 2 = 2.5
        List<Candidate> candidates = List.of(node("a", 6, 4), node("b", 2, 1), node("c", 5, 2));
        assertEquals(List.of("a", "a", "a"), picks(new LeastConnections(), candidates, 3));
    }

    @Test
    void leastConnectionsSharesATieEvenlyWhateverStandsBeforeIt() {
        Strategy strategy = new LeastConnections();
        List<Candidate> candidates = List.of(new Candidate("a", 1, 10, 1, false), new Candidate("b", 0, 10, 1, false),
                new Candidate("c", 0, 10, 1, false));
        List<String> picks = picks(strategy, candidates, 3000);
        assertEquals(1500, picks.stream().filter("b"::equals).count());
        assertEquals(1500, picks.stream().filter("c"::equals).count());
    }

    @Test
    void leastConnectionsSpreadsAnIdleClusterInTurn() {
        List<Candidate> idle = List.of(node("a", 0, 1), node("b", 0, 1), node("c", 0, 1));
        assertEquals(List.of("a", "b", "c", "a", "b", "c"), picks(new LeastConnections(), idle, 6));
    }
}
