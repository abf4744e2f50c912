package io.ballast.node.routing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class RouterTest {

    private static final int CAPACITY = 8;
    private static final double SERVICE_MS = 100;

    /** This node: {@code inFlight} requests, 100 ms each, not hot, serving all along. */
    static Candidate self(int inFlight) {
        return new Candidate("m-self", inFlight, CAPACITY, 1, true, SERVICE_MS, 0, false, 0);
    }

    static Candidate peer(String name, int inFlight) {
        return new Candidate(name, inFlight, CAPACITY, 1, false, SERVICE_MS, 0, false, 0);
    }

    static Candidate withService(Candidate node, double serviceMs) {
        return new Candidate(node.name(), node.inFlight(), node.capacity(), node.weight(), node.self(), serviceMs,
                node.demand(), node.hot(), node.sinceServedMs());
    }

    static Candidate hot(Candidate node) {
        return new Candidate(node.name(), node.inFlight(), node.capacity(), node.weight(), node.self(),
                node.serviceMs(), 1.0, true, node.sinceServedMs());
    }

    static Candidate idleFor(Candidate node, long ms) {
        return new Candidate(node.name(), node.inFlight(), node.capacity(), node.weight(), node.self(),
                node.serviceMs(), node.demand(), node.hot(), ms);
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
            assertNull(off.decide(self(2 * CAPACITY - 1), List.of(peer("a", 0), peer("b", 0))));
        }
    }

    @Test
    void adaptiveServesHereUnderEvenLoadAtEveryLevel() {
        Router router = adaptive();
        for (int inFlight = 0; inFlight < 2 * CAPACITY; inFlight++) {
            List<Candidate> peers = List.of(peer("a", inFlight), peer("b", inFlight), peer("c", inFlight));
            assertEquals("here", where(router, self(inFlight), peers), "everyone at " + inFlight);
        }
    }

    @Test
    void adaptiveServesHereWhileASlotIsFreeEvenWhenPeersAreIdle() {
        Router router = adaptive();
        for (int inFlight = 0; inFlight < CAPACITY; inFlight++) {
            assertEquals("here", where(router, self(inFlight), List.of(peer("a", 0), peer("b", 0))),
                    inFlight + " in flight");
        }
    }

    @Test
    void adaptiveForwardsARequestThatWouldWaitHereToAPeerWithAFreeSlot() {
        Router router = adaptive();
        // 8 in flight: the request would be first in the queue, 112.5 ms; at a: a free slot, 1 + 100 ms
        assertEquals("a", where(router, self(CAPACITY), List.of(peer("a", CAPACITY - 1))));
        assertEquals("a", where(router, self(CAPACITY), List.of(peer("b", CAPACITY), peer("a", 3))));
    }

    @Test
    void adaptiveForwardsOnlyToAPeerWhereTheRequestWaitsLessByMoreThanTheHop() {
        Router router = adaptive();
        // first in the queue here and there: 112.5 ms against 1 + 112.5 ms
        assertEquals("here", where(router, self(CAPACITY), List.of(peer("a", CAPACITY))));
        // second here (125 ms), first there (1 + 112.5 ms)
        assertEquals("a", where(router, self(CAPACITY + 1), List.of(peer("a", CAPACITY))));
    }

    @Test
    void adaptiveServesHereWithNoPeers() {
        assertNull(adaptive().decide(self(2 * CAPACITY), List.of()));
    }

    @Test
    void aHotSlowNodeHandsRequestsToAFasterPeer() {
        Router router = adaptive();
        Candidate slow = hot(withService(self(0), 3 * SERVICE_MS));
        // here 300 ms; at a: 1 + 100 * (1 + (5 + 1)/8) = 176 ms, and with 13 in flight there 276 ms
        assertEquals("a", where(router, slow, List.of(peer("a", 5))));
        assertEquals("a", where(router, slow, List.of(peer("a", 13))));
        // with 14 there: 1 + 100 * (1 + 15/8) = 288.5 ms, still less; with 15, 301 ms: here
        assertEquals("a", where(router, slow, List.of(peer("a", 14))));
        assertEquals("here", where(router, slow, List.of(peer("a", 15))));
    }

    @Test
    void whileBalancedARequestWithAFreeSlotHereIsServedHereWhateverThePeersServiceTimes() {
        Router router = adaptive();
        // light load: this node's average is 40 ms (it got the session writes), a's 2 ms (it got the /hello)
        Candidate self = withService(self(1), 40);
        assertEquals("here", where(router, self, List.of(withService(peer("a", 0), 2))));
        // a slow node that nobody overloads serves its own requests too
        assertEquals("here", where(router, withService(self(0), 3 * SERVICE_MS), List.of(peer("a", 0))));
        // once the request would wait here, the faster peer with a free slot finishes it sooner
        assertEquals("a", where(router, withService(self(CAPACITY), 40), List.of(withService(peer("a", 0), 2))));
    }

    @Test
    void aFastNodeSendsNothingToASlowPeerThatIsIdle() {
        Router router = adaptive();
        Candidate slowPeer = withService(peer("slow", 0), 3 * SERVICE_MS);
        // first in the queue here: 112.5 ms, against 1 + 300 ms at the idle slow node
        assertEquals("here", where(router, self(CAPACITY), List.of(slowPeer)));
        // eighth in the queue here: 100 * (1 + 8/8) = 200 ms, still less
        assertEquals("here", where(router, self(2 * CAPACITY - 1), List.of(slowPeer)));
        // and while some node is hot: 100 * (1 + 15/8) = 287.5 ms here against 1 + 300 * (1 + 1/8) there
        assertEquals("here", where(router, hot(self(2 * CAPACITY - 1)), List.of(slowPeer)));
    }

    @Test
    void aNodeThatServedNothingForAWhileServesTheNextRequestToLearnItsServiceTime() {
        Router router = adaptive();
        Candidate slow = hot(withService(self(0), 3 * SERVICE_MS));
        List<Candidate> peers = List.of(peer("a", 0));
        assertEquals("a", where(router, idleFor(slow, Router.SAMPLE_AFTER_MS - 1), peers));
        assertEquals("here", where(router, idleFor(slow, Router.SAMPLE_AFTER_MS), peers));
        // without a free slot here it does not
        Candidate busySlow = idleFor(hot(withService(self(CAPACITY), 3 * SERVICE_MS)), Router.SAMPLE_AFTER_MS);
        assertEquals("a", where(router, busySlow, peers));
    }

    @Test
    void aHotNodePlacesRequestsOnTheShortestExpectedDelayWithAMarginOfOneSlotTime() {
        Router router = adaptive();
        Candidate hotSelf = hot(self(6));
        // here 100 * (1 + 6/8) = 175 ms; b: 1 + 100 * (1 + (3 + 1)/8) = 151 ms; a: 1 + 100 * (1 + (4 + 1)/8) = 163.5
        assertEquals("b", where(router, hotSelf, List.of(peer("a", 4), peer("b", 3))));
        // a peer only one request lighter: 1 + 100 * (1 + 6/8) = 176 ms, not less than 175
        assertEquals("here", where(router, hotSelf, List.of(peer("a", 5))));
        assertEquals("a", where(router, hotSelf, List.of(peer("a", 4))));
    }

    @Test
    void whileAPeerIsHotEveryNodeSpreadsAndNoneSendsToTheHotOne() {
        Router router = adaptive();
        Candidate hotPeer = hot(peer("hot", 12));
        // not hot itself, a free slot: balanced, it would serve here; with a hot member it places by expected delay
        assertEquals("here", where(router, self(4), List.of(peer("cold", 1))));
        // here 100 * (1 + 4/8) = 150 ms; cold: 1 + 100 * (1 + 2/8) = 126 ms
        assertEquals("cold", where(router, self(4), List.of(hotPeer, peer("cold", 1))));
        assertEquals("here", where(router, self(4), List.of(hotPeer)));
    }

    @Test
    void aRequestThatWouldOverflowTheQueueHereGoesToAnyPeerWithRoom() {
        Router router = adaptive();
        // the queue here is full; at a the request would wait 1 + 100 * (1 + 5/8) ms, but it is not refused
        assertEquals("a", where(router, self(2 * CAPACITY), List.of(peer("a", CAPACITY + 4))));
        // a peer whose queue is full too is never chosen
        assertEquals("here", where(router, self(2 * CAPACITY), List.of(peer("a", 2 * CAPACITY))));
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
    void unknownServiceTimesAreTakenFromThePeersOrAssumedAlike() {
        Router router = adaptive();
        Candidate unknownSelf = withService(self(CAPACITY), 0);
        // nobody's service time known: counts alone decide, as with equal service times
        assertEquals("a", where(router, unknownSelf, List.of(withService(peer("a", 0), 0))));
        assertEquals("here", where(router, unknownSelf, List.of(withService(peer("a", CAPACITY), 0))));
        // this node's unknown, the peer's 300 ms: this node is taken to be as slow, so the idle peer gains nothing
        assertEquals("here", where(router, withService(self(0), 0),
                List.of(withService(peer("a", 0), 3 * SERVICE_MS))));
    }

    @Test
    void peersThatWouldFinishARequestEquallySoonAreChosenByTheStrategy() {
        Router router = new Router(Balance.ADAPTIVE, new RoundRobin());
        // a and b have a free slot (1 + 100 ms each), c none (1 + 112.5 ms)
        List<Candidate> peers = List.of(peer("b", 2), peer("a", 5), peer("c", CAPACITY));
        List<String> decisions = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            decisions.add(where(router, self(CAPACITY), peers));
        }
        assertEquals(List.of("a", "b", "a", "b"), decisions);
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
