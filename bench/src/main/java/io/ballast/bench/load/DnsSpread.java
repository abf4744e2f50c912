package io.ballast.bench.load;

import java.util.List;
import java.util.SplittableRandom;

/**
 * How DNS spreads clients over a name's addresses: each request goes to a target drawn at random in proportion to
 * its weight (equal weights for an even spread, 80/10/10 for a skewed one). Seeded, so that two configurations of
 * one scenario see the same sequence of targets. Used by one thread only.
 */
public final class DnsSpread {

    private final List<Target> targets;
    private final List<Double> weights;
    private final double[] cumulative;
    private final SplittableRandom random;

    public DnsSpread(List<Target> targets, List<Double> weights, long seed) {
        if (targets.isEmpty() || targets.size() != weights.size()) {
            throw new IllegalArgumentException("targets " + targets + " and weights " + weights
                    + " (expected: as many weights as targets, at least one)");
        }
        this.targets = List.copyOf(targets);
        this.weights = List.copyOf(weights);
        this.cumulative = new double[targets.size()];
        double sum = 0;
        for (int i = 0; i < targets.size(); i++) {
            if (!(weights.get(i) >= 0)) {
                throw new IllegalArgumentException("weight " + weights.get(i) + " (expected: >= 0)");
            }
            sum += weights.get(i);
            cumulative[i] = sum;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("weights " + weights + " (expected: a positive sum)");
        }
        for (int i = 0; i < cumulative.length; i++) {
            cumulative[i] /= sum;
        }
        this.random = new SplittableRandom(seed);
    }

    /** Every target equally often. */
    public static DnsSpread even(List<Target> targets, long seed) {
        return new DnsSpread(targets, targets.stream().map(target -> 1.0).toList(), seed);
    }

    /** All load to one address (a balancer in front, or a single server). */
    public static DnsSpread single(Target target) {
        return even(List.of(target), 0);
    }

    public Target next() {
        double draw = random.nextDouble();
        for (int i = 0; i < cumulative.length - 1; i++) {
            if (draw < cumulative[i]) {
                return targets.get(i);
            }
        }
        return targets.get(targets.size() - 1);
    }

    public List<Target> targets() {
        return targets;
    }

    public List<Double> weights() {
        return weights;
    }
}
