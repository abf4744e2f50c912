package io.ballast.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {

    @Test
    void durationsReadInMillisecondsSecondsAndMinutes() {
        assertEquals(Duration.ofMillis(500), BenchOptions.duration("--warmup", "500ms"));
        assertEquals(Duration.ofSeconds(20), BenchOptions.duration("--duration", "20s"));
        assertEquals(Duration.ofMillis(1500), BenchOptions.duration("--duration", "1.5s"));
        assertEquals(Duration.ofMinutes(2), BenchOptions.duration("--duration", "2m"));
    }

    @Test
    void aBadValueIsNamedWithWhatWasExpected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--duration", "twenty"));
        assertEquals("--duration: 'twenty' (expected: a duration such as 500ms, 20s, 1.5s or 2m)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--capacity", "0"));
        assertEquals("--capacity: '0' (expected: a number from 1 to 100000)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--only", "even,sideways"));
        assertTrue(e.getMessage().startsWith("--only: 'sideways'"), e.getMessage());
    }

    @Test
    void quickShortensTheWindowsAndOverlapsClusterStarts() {
        BenchOptions quick = parse("--quick");
        assertEquals(BenchOptions.QUICK_MEASURE, quick.measure());
        assertEquals(BenchOptions.QUICK_WARMUP, quick.warmup());
        assertTrue(quick.overlapStarts());
        BenchOptions full = parse();
        assertEquals(BenchOptions.FULL_MEASURE, full.measure());
        assertEquals(false, full.overlapStarts());
    }

    @Test
    void sizingComesFromCapacityAndWorkTime() {
        Sizing sizing = new Sizing(parse("--capacity", "8", "--work-ms", "50"));
        assertEquals(160, sizing.nodeRate(), 1e-9);
        assertEquals(480, sizing.clusterRate(), 1e-9);
        assertEquals(336, sizing.rate(Scenario.SKEW), 1e-9);
        assertEquals(240, sizing.rate(Scenario.KILL), 1e-9);
    }

    @Test
    void scaleSizesDefaultToThreeSixTwelveAndAreBounded() {
        assertEquals(List.of(3, 6, 12), parse().scaleSizes());
        assertEquals(List.of(2, 5), parse("--scale-sizes", "2,5").scaleSizes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--scale-sizes", "3,100"));
        assertEquals("--scale-sizes: '100' (expected: a number from 2 to 30)", e.getMessage());
        assertEquals(EnumSet.of(Scenario.SCALE), parse("--only", "scale").scenarios());
    }

    @Test
    void theScaleLoadIsTheEvenLoadWhateverTheSize() {
        Sizing sizing = new Sizing(parse("--capacity", "8", "--work-ms", "100"));
        assertEquals(168, sizing.scaleRate(), 1e-9);
        assertEquals(sizing.rate(Scenario.EVEN), sizing.scaleRate(), 1e-9);
    }

    @Test
    void onlyChoosesScenarios() {
        assertEquals(EnumSet.of(Scenario.EVEN, Scenario.KILL), parse("--only", "even,kill").scenarios());
    }

    private static BenchOptions parse(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--nginx", "none", "--node-jar", "pom.xml"));
        return BenchOptions.parse(all, Path.of(""));
    }
}
