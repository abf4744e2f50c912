package io.ballast.node.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The power of two choices: two candidates at random, the less loaded of them. Nearly as good as scanning for the
 * least loaded, and it does not send every node's requests to the same one when reports are stale.
 */
public final class LeastLoaded implements Strategy {

    private final RandomGenerator random;

    public LeastLoaded(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public Candidate pick(List<Candidate> candidates) {
        int n = candidates.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return candidates.get(0);
        }
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        Candidate a = candidates.get(i);
        Candidate b = candidates.get(j);
        return b.load() < a.load() ? b : a;
    }
}
