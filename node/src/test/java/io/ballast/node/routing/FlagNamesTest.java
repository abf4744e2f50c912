package io.ballast.node.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class FlagNamesTest {

    @Test
    void strategyFlagNamesParseToTheirStrategies() {
        assertEquals(Optional.of(StrategyName.LEAST_LOADED), StrategyName.parse("least-loaded"));
        assertEquals(Optional.of(StrategyName.ROUND_ROBIN), StrategyName.parse("round-robin"));
        assertEquals(Optional.of(StrategyName.RANDOM), StrategyName.parse("random"));
        assertEquals(Optional.of(StrategyName.WEIGHTED_ROUND_ROBIN), StrategyName.parse("weighted-round-robin"));
        assertEquals(Optional.of(StrategyName.LEAST_CONNECTIONS), StrategyName.parse("least-connections"));
    }

    @Test
    void eachStrategyNameCreatesItsOwnAlgorithm() {
        SplittableRandom random = new SplittableRandom(1);
        assertInstanceOf(LeastLoaded.class, StrategyName.LEAST_LOADED.create(random));
        assertInstanceOf(RoundRobin.class, StrategyName.ROUND_ROBIN.create(random));
        assertInstanceOf(RandomPick.class, StrategyName.RANDOM.create(random));
        assertInstanceOf(WeightedRoundRobin.class, StrategyName.WEIGHTED_ROUND_ROBIN.create(random));
        assertInstanceOf(LeastConnections.class, StrategyName.LEAST_CONNECTIONS.create(random));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fastest", "", "LEAST-LOADED", "least_loaded", "roundrobin", " random"})
    void otherStrategyNamesAreRefused(String text) {
        assertEquals(Optional.empty(), StrategyName.parse(text));
    }

    @Test
    void balanceFlagNamesParse() {
        assertEquals(Optional.of(Balance.ADAPTIVE), Balance.parse("adaptive"));
        assertEquals(Optional.of(Balance.ALWAYS), Balance.parse("always"));
        assertEquals(Optional.of(Balance.OFF), Balance.parse("off"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sometimes", "", "ADAPTIVE", "on", "never"})
    void otherBalanceModesAreRefused(String text) {
        assertEquals(Optional.empty(), Balance.parse(text));
    }
}
