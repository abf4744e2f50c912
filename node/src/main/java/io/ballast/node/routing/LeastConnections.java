package io.ballast.node.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The candidate with the fewest requests in flight per unit of weight, as nginx's {@code least_conn} and HAProxy's
 * {@code leastconn} do. Ties go round robin, so that an idle cluster is still spread.
 */
public final class LeastConnections implements Strategy {

    private final AtomicLong tieBreak = new AtomicLong();

    @Override
    public Candidate pick(List<Candidate> candidates) {
        int n = candidates.size();
        if (n == 0) {
            return null;
        }
        int start = (int) Math.floorMod(tieBreak.getAndIncrement(), (long) n);
        Candidate best = null;
        for (int k = 0; k < n; k++) {
            Candidate candidate = candidates.get((start + k) % n);
            if (best == null || (long) candidate.inFlight() * best.weight() < (long) best.inFlight() * candidate.weight()) {
                best = candidate;
            }
        }
        return best;
    }
}
