package io.ballast.node.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round robin, as nginx does it: over any run of requests each candidate gets its share of the total
 * weight, and the heavy ones are interleaved with the light ones rather than served in bursts (weights 5, 1, 1 give
 * a, a, b, a, c, a, a).
 */
public final class WeightedRoundRobin implements Strategy {

    private final Map<String, Long> current = new HashMap<>();

    @Override
    public synchronized Candidate pick(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return null;
        }
        current.keySet().retainAll(candidates.stream().map(Candidate::name).toList());
        long total = 0;
        Candidate best = null;
        long bestWeight = Long.MIN_VALUE;
        for (Candidate candidate : candidates) {
            long weight = current.merge(candidate.name(), (long) candidate.weight(), Long::sum);
            total += candidate.weight();
            if (weight > bestWeight) {
                best = candidate;
                bestWeight = weight;
            }
        }
        current.put(best.name(), bestWeight - total);
        return best;
    }
}
