package io.ballast.node.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Decides where a request is served: here, or at one peer. Pure: it sees only candidates, never HTTP or the cluster.
 *
 * <p>{@link Balance#ADAPTIVE} compares the time the request would take here with the time it would take at each
 * peer, a hop ({@value #HOP_MS} ms) included, on each node's service time {@code s}, in-flight count {@code n} and
 * capacity {@code c}, and forwards only to a peer that finishes it sooner:
 * <ul>
 *   <li>While no member is hot ({@link HotFlag}), the cluster is balanced: a request that finds a free slot here is
 *       served here, and one that would wait is compared by its place in the queue: here it takes
 *       {@code s × (1 + q / c)}, where {@code q = n - c + 1} is its place in this node's queue; at a peer, a hop plus
 *       the same with the peer's numbers (0 for a free slot). So a node forwards only a request that would wait here
 *       while a peer starts it sooner; under even load almost nothing. Service times do not move a request that has
 *       a slot here: at light load they differ by the mix of requests each node got, not by its speed.</li>
 *   <li>While some member is hot, every node places requests on the shortest expected delay: {@code s × (1 + n/c)}
 *       here against a hop plus {@code s × (1 + (n + 1)/c)} at a peer, one slot-time of margin against the noise in
 *       the peer's count. A skewed node's surplus goes to the peers that finish it soonest, the cold nodes do not
 *       send it back, and a slow node (overloaded by its own clients at three times the service time) hands its
 *       requests to faster peers.</li>
 *   <li>A request that would overflow this node's queue goes to any peer with room; a peer whose queue is full is
 *       never chosen.</li>
 *   <li>A node that has not served a request for {@value #SAMPLE_AFTER_MS} ms serves the next one it has a free slot
 *       for, so that its service time stays current: a slow node that hands everything on would otherwise never
 *       learn that it is fast again.</li>
 * </ul>
 * Among peers that would finish the request equally soon, the strategy picks.
 *
 * <p>{@link Balance#ALWAYS}: the strategy places every request among all candidates, this node included.
 * {@link Balance#OFF}: always here.
 */
public final class Router {

    /**
     * What a forward costs a request, in ms: the extra time of a forwarded /hello on loopback in the bench (a median
     * of about 1 ms). A forward must gain more than this.
     */
    public static final double HOP_MS = 1.0;

    /** The service time assumed for a node whose own is not known yet, and no peer's is either. */
    public static final double UNKNOWN_SERVICE_MS = 100.0;

    /** After this long without serving a request itself, a node with a free slot serves the next one here. */
    public static final long SAMPLE_AFTER_MS = 2_000;

    /** A node queues as many requests as it has slots ({@code MeteringHandler}); beyond that it answers 503. */
    static final int QUEUE_PER_SLOT = 1;

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
        sorted.sort(BY_NAME);
        return adaptive(self, sorted);
    }

    private Candidate adaptive(Candidate self, List<Candidate> peers) {
        boolean roomHere = hasRoom(self);
        if (roomHere && self.inFlight() < self.capacity() && self.sinceServedMs() >= SAMPLE_AFTER_MS) {
            return null;
        }
        boolean spread = self.hot() || peers.stream().anyMatch(Candidate::hot);
        if (!spread && roomHere && self.inFlight() < self.capacity()) {
            // balanced, and a slot is free here: no wait to save. Service times alone do not move a request now:
            // at light load they differ by the mix of requests each node happened to get, not by its speed.
            return null;
        }
        double mine = serviceMs(self, peers);
        double best = roomHere ? (spread ? expectedDelay(mine, self, 0) : queuedTime(mine, self))
                : Double.POSITIVE_INFINITY;
        List<Candidate> soonest = new ArrayList<>();
        for (Candidate peer : peers) {
            if (!hasRoom(peer)) {
                continue;
            }
            double service = peer.serviceMs() > 0 ? peer.serviceMs() : mine;
            double there = HOP_MS + (spread ? expectedDelay(service, peer, 1) : queuedTime(service, peer));
            if (there < best) {
                best = there;
                soonest.clear();
                soonest.add(peer);
            } else if (there == best && !soonest.isEmpty()) {
                soonest.add(peer);
            }
        }
        if (soonest.isEmpty()) {
            return null;
        }
        return soonest.size() == 1 ? soonest.get(0) : strategy.pick(soonest);
    }

    /** How long a request takes at {@code node} from its place in the queue: {@code s × (1 + q / c)}. */
    static double queuedTime(double serviceMs, Candidate node) {
        int place = Math.max(0, node.inFlight() - node.capacity() + 1);
        return serviceMs * (1 + (double) place / node.capacity());
    }

    /** The expected delay at {@code node} with {@code margin} requests more: {@code s × (1 + (n + margin) / c)}. */
    static double expectedDelay(double serviceMs, Candidate node, int margin) {
        return serviceMs * (1 + (double) (node.inFlight() + margin) / node.capacity());
    }

    /** Whether {@code node} can take one more request without answering 503: its queue is not full. */
    static boolean hasRoom(Candidate node) {
        return node.inFlight() < node.capacity() * (1 + QUEUE_PER_SLOT);
    }

    /** This node's service time; when not known, the peers' mean; when theirs is not either, an assumption. */
    static double serviceMs(Candidate self, List<Candidate> peers) {
        if (self.serviceMs() > 0) {
            return self.serviceMs();
        }
        return peers.stream().mapToDouble(Candidate::serviceMs).filter(ms -> ms > 0).average()
                .orElse(UNKNOWN_SERVICE_MS);
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
}
