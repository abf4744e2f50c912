package io.ballast.node.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/** Any candidate, uniformly at random. */
public final class RandomPick implements Strategy {

    private final RandomGenerator random;

    public RandomPick(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public Candidate pick(List<Candidate> candidates) {
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }
}
