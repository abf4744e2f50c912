package io.ballast.node.limit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimitTest {

    @Test
    void aRatePerSecondBurstsOneSecondsWorth() {
        RateLimit limit = RateLimit.parse("50/s").orElseThrow();
        assertEquals(50.0, limit.perSecond());
        assertEquals(50, limit.burst());
        assertEquals("50;w=1", limit.burst() + ";w=" + limit.windowSeconds());
    }

    @Test
    void aRatePerMinuteWithABurst() {
        RateLimit limit = RateLimit.parse("600/m,burst=100").orElseThrow();
        assertEquals(10.0, limit.perSecond(), 1e-9);
        assertEquals(100, limit.burst());
        assertEquals(10, limit.windowSeconds());
    }

    @Test
    void aSlowRateStillBurstsOneRequest() {
        RateLimit limit = RateLimit.parse("60/h").orElseThrow();
        assertEquals(1 / 60.0, limit.perSecond(), 1e-12);
        assertEquals(1, limit.burst());
        assertEquals(60, limit.windowSeconds());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "50", "0/s", "-5/s", "50/x", "50/s,", "50/s,burst=0", "50/s,burst=", "5.5/s",
            "50/s burst=10", "9999999999/s"})
    void nonsenseIsNotALimit(String text) {
        assertTrue(RateLimit.parse(text).isEmpty(), text);
    }
}
