package io.ballast.node.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides where a request is served: here, or at one peer. Pure: it sees only candidates, never HTTP or the cluster.
 *
 * <p>{@link Balance#ADAPTIVE}: a node serves its own requests unless it is busy (load at least {@value #BUSY}) and the
 * peer the strategy picks is less loaded by more than chance explains: by twice the standard deviation of the
 * difference of the two loads if requests arrived at random, but at least {@value #MIN_MARGIN} and at most
 * {@value #MAX_MARGIN}. So under even load nobody forwards, and a node that gets more than its share hands the
 * surplus to peers until their loads are level within that margin. The cap keeps small nodes, whose counts are
 * noisy, from running full while their peers idle.
 *
 * <p>{@link Balance#ALWAYS}: the strategy places every request among all candidates, this node included.
 * {@link Balance#OFF}: always here.
 */
public final class Router {

    /** Below this load a node has room: it serves what it gets, whatever its peers do. */
    public static final double BUSY = 0.5;

    /** The smallest difference in load that makes a forward worth its hop. */
    public static final double MIN_MARGIN = 0.1;

    /** The largest margin, whatever the noise: a node this much busier than a peer always hands work on. */
    public static final double MAX_MARGIN = 0.2;

    private static final Comparator<Candidate> BY_NAME = Comparator.comparing(Candidate::name);

    private final Balance balance;
    private final Strategy strategy;

    public Router(Balance balance, Strategy strategy) {
        this.balance = balance;
        this.strategy = strategy;
    }

    /**
     * @param self  this node
     * @param peers the peers eligible for a forward (up, reporting, not ejected), in any order
     * @return the peer to forward to, or null to serve here
     */
    public Candidate decide(Candidate self, List<Candidate> peers) {
        if (balance == Balance.OFF || peers.isEmpty()) {
            return null;
        }
        List<Candidate> sorted = new ArrayList<>(peers);
        if (balance == Balance.ALWAYS) {
            sorted.add(self);
            sorted.sort(BY_NAME);
            Candidate pick = strategy.pick(sorted);
            return pick == null || pick.self() ? null : pick;
        }
        if (self.load() < BUSY) {
            return null;
        }
        sorted.sort(BY_NAME);
        Candidate pick = strategy.pick(sorted);
        return pick != null && clearlyLessLoaded(pick, self) ? pick : null;
    }

    /**
     * For a node that cannot serve a request itself: the strategy's pick among {@code peers}, or null (serve here,
     * and fail there) when there are none or balancing is off.
     */
    public Candidate elsewhere(List<Candidate> peers) {
        if (balance == Balance.OFF || peers.isEmpty()) {
            return null;
        }
        List<Candidate> sorted = new ArrayList<>(peers);
        sorted.sort(BY_NAME);
        return strategy.pick(sorted);
    }

    /** Whether {@code peer}'s load is below {@code self}'s by more than the margin. */
    static boolean clearlyLessLoaded(Candidate peer, Candidate self) {
        return peer.load() + margin(peer, self) < self.load();
    }

    /**
     * The margin for two loads: with Poisson arrivals a node's in-flight count varies by its square root, so the
     * difference of two loads has a standard deviation of sqrt(a/ca² + b/cb²).
     */
    static double margin(Candidate a, Candidate b) {
        double variance = a.inFlight() / square(a.capacity()) + b.inFlight() / square(b.capacity());
        return Math.min(MAX_MARGIN, Math.max(MIN_MARGIN, 2 * Math.sqrt(variance)));
    }

    private static double square(int x) {
        return (double) x * x;
    }
}
