package io.ballast.node.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RouterTest {

    private static final int CAPACITY = 64;

    static Candidate self(int inFlight) {
        return new Candidate("m-self", inFlight, CAPACITY, 1, true);
    }

    static Candidate peer(String name, int inFlight) {
        return new Candidate(name, inFlight, CAPACITY, 1, false);
    }

    static Router adaptive() {
        return new Router(Balance.ADAPTIVE, new LeastLoaded(new SplittableRandom(42)));
    }

    /** The name decided, or "here". */
    static String where(Router router, Candidate self, List<Candidate> peers) {
        Candidate pick = router.decide(self, peers);
        return pick == null ? "here" : pick.name();
    }

    @Test
    void offNeverForwards() {
        Router off = new Router(Balance.OFF, new RoundRobin());
        for (int i = 0; i < 100; i++) {
            assertNull(off.decide(self(2 * CAPACITY), List.of(peer("a", 0), peer("b", 0))));
        }
    }

    @Test
    void adaptiveServesHereUnderEvenLoadAtEveryLevel() {
        Router router = adaptive();
        for (int inFlight = 0; inFlight <= 2 * CAPACITY; inFlight++) {
            List<Candidate> peers = List.of(peer("a", inFlight), peer("b", inFlight), peer("c", inFlight));
            assertEquals("here", where(router, self(inFlight), peers), "everyone at " + inFlight);
        }
    }

    @Test
    void adaptiveServesHereBelowBusyEvenWhenPeersAreIdle() {
        Candidate justBelowBusy = self((int) (Router.BUSY * CAPACITY) - 1);
        Router router = adaptive();
        for (int i = 0; i < 100; i++) {
            assertEquals("here", where(router, justBelowBusy, List.of(peer("a", 0), peer("b", 0))));
        }
    }

    @Test
    void adaptiveHandsSkewedLoadToTheLessLoadedPeer() {
        Router router = adaptive();
        List<Candidate> peers = List.of(peer("b", 40), peer("a", 10));
        for (int i = 0; i < 100; i++) {
            assertEquals("a", where(router, self(60), peers));
        }
    }

    @Test
    void adaptiveServesHereWithNoPeers() {
        assertNull(adaptive().decide(self(2 * CAPACITY), List.of()));
    }

    @Test
    void adaptiveServesHereWhenThePeerIsLessLoadedOnlyWithinTheMargin() {
        Router router = adaptive();
        // 0.625 against 0.5625: within MIN_MARGIN
        assertEquals("here", where(router, self(40), List.of(peer("a", 36))));
        // at capacity 256 two standard deviations of chance are 0.17: 1.0 against 0.84 is noise, against 0.82 not
        Candidate big = new Candidate("m-self", 256, 256, 1, true);
        assertEquals("here", where(router, big, List.of(new Candidate("a", 215, 256, 1, false))));
        assertEquals("a", where(router, big, List.of(new Candidate("a", 210, 256, 1, false))));
    }

    @Test
    void adaptiveAlwaysForwardsWhenAPeerIsLessLoadedByMoreThanTheMaximumMargin() {
        Router router = adaptive();
        // 1.0 against 0.8125 and 0.797: noise alone would say 0.25
        assertEquals("here", where(router, self(64), List.of(peer("a", 52))));
        assertEquals("a", where(router, self(64), List.of(peer("a", 51))));
    }

    @Test
    void smallNodeWithAFullQueueHandsWorkToAnIdlePeer() {
        Router router = adaptive();
        for (int capacity = 1; capacity <= 4; capacity++) {
            Candidate full = new Candidate("m-self", 2 * capacity, capacity, 1, true);
            assertEquals("a", where(router, full, List.of(new Candidate("a", 0, capacity, 1, false))),
                    "capacity " + capacity);
        }
    }

    @Test
    void alwaysWithRoundRobinGivesSelfAndEachPeerAThirdInNameOrder() {
        Router always = new Router(Balance.ALWAYS, new RoundRobin());
        List<Candidate> peers = List.of(peer("z-peer", 0), peer("a-peer", 0));
        List<String> decisions = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            decisions.add(where(always, self(0), peers));
        }
        assertEquals(List.of("a-peer", "here", "z-peer", "a-peer", "here", "z-peer"), decisions.subList(0, 6));
        assertEquals(100, decisions.stream().filter("here"::equals).count());
        assertEquals(100, decisions.stream().filter("a-peer"::equals).count());
        assertEquals(100, decisions.stream().filter("z-peer"::equals).count());
    }

    @Test
    void nodeThatCannotServePassesEveryRequestToAPeerUnlessBalancingIsOff() {
        List<Candidate> peers = List.of(new Candidate("b", 15, 16, 1, false), new Candidate("c", 15, 16, 1, false));
        Router adaptive = new Router(Balance.ADAPTIVE, new RoundRobin());
        assertEquals("b", adaptive.elsewhere(peers).name());
        assertEquals("c", adaptive.elsewhere(peers).name());
        assertNull(adaptive.elsewhere(List.of()));
        assertNull(new Router(Balance.OFF, new RoundRobin()).elsewhere(peers));
    }
}
