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
        Candidate best = null;
        int ties = 0;
        for (Candidate candidate : candidates) {
            long order = best == null ? -1 : compare(candidate, best);
            if (order < 0) {
                best = candidate;
                ties = 1;
            } else if (order == 0) {
                ties++;
            }
        }
        if (ties > 1) {
            int chosen = (int) Math.floorMod(tieBreak.getAndIncrement(), (long) ties);
            for (Candidate candidate : candidates) {
                if (compare(candidate, best) == 0 && chosen-- == 0) {
                    return candidate;
                }
            }
        }
        return best;
    }

    /** Negative when {@code a} has fewer requests in flight per unit of weight than {@code b}. */
    private static long compare(Candidate a, Candidate b) {
        return (long) a.inFlight() * b.weight() - (long) b.inFlight() * a.weight();
    }
}
