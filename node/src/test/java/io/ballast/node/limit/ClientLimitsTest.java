package io.ballast.node.limit;

import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientLimitsTest {

    private static final double TICK_SECONDS = 0.25;
    private static final long TICK_NANOS = 250_000_000L;

    /** A clock the test moves by hand. */
    private static final class ManualClock implements TimeMeter {
        long nanos;

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    private final ManualClock clock = new ManualClock();

    private ClientLimits limits(String spec) {
        return new ClientLimits(RateLimit.parse(spec).orElseThrow(), TICK_SECONDS, clock);
    }

    @Test
    void aLoneNodeLetsTheBurstThroughThenTheRate() {
        ClientLimits limits = limits("10/s,burst=5");
        for (int i = 0; i < 5; i++) {
            ClientLimits.Decision decision = limits.tryAcquire("10.0.0.1", 1);
            assertTrue(decision.allowed());
            assertEquals(4 - i, decision.remaining());
        }
        ClientLimits.Decision refused = limits.tryAcquire("10.0.0.1", 1);
        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds());
        assertEquals(1, limits.rejected());

        clock.nanos += 100_000_000L; // a tenth of a second refills one request at 10/s
        assertTrue(limits.tryAcquire("10.0.0.1", 1).allowed());
        assertFalse(limits.tryAcquire("10.0.0.1", 1).allowed());
    }

    @Test
    void eachClientHasItsOwnBucket() {
        ClientLimits limits = limits("1/s,burst=1");
        assertTrue(limits.tryAcquire("10.0.0.1", 1).allowed());
        assertFalse(limits.tryAcquire("10.0.0.1", 1).allowed());
        assertTrue(limits.tryAcquire("10.0.0.2", 1).allowed());
    }

    @Test
    void aNewClientStartsWithOneMembersShareAndGetsAllOfItWhenNoPeerSeesIt() {
        ClientLimits limits = limits("30/s");
        limits.tryAcquire("10.0.0.1", 3);
        assertEquals(1 / 3.0, limits.shareOf("10.0.0.1").orElseThrow(), 1e-9);

        limits.tick(Map.of(), 3);
        assertEquals(1 / 3.0, limits.shareOf("10.0.0.1").orElseThrow(), 1e-9, "a peer may not have published yet");
        limits.tryAcquire("10.0.0.1", 3);
        limits.tick(Map.of(), 3);
        assertEquals(1.0, limits.shareOf("10.0.0.1").orElseThrow(), 1e-9);
    }

    @Test
    void theShareIsTheDemandHereOverTheDemandEverywhere() {
        ClientLimits limits = limits("30/s");
        for (int i = 0; i < 5; i++) {
            limits.tryAcquire("10.0.0.1", 3);
        }
        // 5 requests in the one tick seen so far: 20 a second here, 60 a second at the peers
        Map<String, Double> published = limits.tick(Map.of("10.0.0.1", 60.0), 3);
        assertEquals(0.25, limits.shareOf("10.0.0.1").orElseThrow(), 1e-9);
        assertEquals(Map.of("10.0.0.1", 20.0), published);
    }

    @Test
    void aQuietClientIsNotPublishedAndAnIdleOneIsForgotten() {
        ClientLimits limits = limits("30/s");
        limits.tryAcquire("10.0.0.1", 3);
        for (int tick = 0; tick < ClientLimits.WINDOW_TICKS - 1; tick++) {
            clock.nanos += TICK_NANOS;
            limits.tick(Map.of(), 3);
        }
        clock.nanos += TICK_NANOS;
        // one request in a 2-second window: half a request a second, below half of a third of 30/s
        assertEquals(Map.of(), limits.tick(Map.of(), 3));
        assertEquals(1, limits.tracked());

        for (int tick = 0; tick < ClientLimits.WINDOW_TICKS; tick++) {
            clock.nanos += TICK_NANOS;
            limits.tick(Map.of(), 3);
        }
        assertEquals(0, limits.tracked(), "a client idle for a whole window, with a full bucket, is forgotten");
    }

    /**
     * Three nodes, each with its own buckets, tell each other their demand every tick as the nodes do. A client that
     * DNS spreads evenly over them gets the limit across the three; a client that sticks to one gets it all there.
     */
    @Test
    void threeNodesHoldTheLimitTogether() {
        List<ClientLimits> nodes = IntStream.range(0, 3).mapToObj(i -> limits("30/s,burst=10")).toList();
        int seconds = 10;
        int spreadPerSecond = 90; // three times the limit, a third at each node
        int stuckPerSecond = 60;  // twice the limit, all at node 0
        long spreadAllowed = 0;
        long stuckAllowed = 0;
        int sent = 0;
        long stepNanos = 1_000_000_000L / spreadPerSecond;
        List<Map<String, Double>> published = List.of(Map.of(), Map.of(), Map.of());
        long nextTick = TICK_NANOS;
        for (long now = 0; now < seconds * 1_000_000_000L; now += stepNanos) {
            clock.nanos = now;
            if (nodes.get(sent % 3).tryAcquire("10.0.0.1", 3).allowed()) {
                spreadAllowed++;
            }
            if (sent % 3 != 2 && nodes.get(0).tryAcquire("10.0.0.2", 3).allowed()) {
                stuckAllowed++; // two of every three steps: 60 a second
            }
            sent++;
            if (now >= nextTick) {
                nextTick += TICK_NANOS;
                List<Map<String, Double>> before = published;
                published = IntStream.range(0, 3).mapToObj(i -> nodes.get(i).tick(othersOf(before, i), 3)).toList();
            }
        }
        double expected = 30.0 * seconds + 10;
        assertEquals(expected, spreadAllowed, expected * 0.05, "spread client: " + spreadAllowed);
        // the stuck client spends its first two ticks on a third of the rate, as any new client does: about 2 % less
        assertTrue(stuckAllowed >= expected * 0.93 && stuckAllowed <= expected * 1.05, "stuck client: " + stuckAllowed);
    }

    private static Map<String, Double> othersOf(List<Map<String, Double>> published, int self) {
        Map<String, Double> sum = new HashMap<>();
        for (int i = 0; i < published.size(); i++) {
            if (i != self) {
                published.get(i).forEach((client, rate) -> sum.merge(client, rate, Double::sum));
            }
        }
        return sum;
    }
}
