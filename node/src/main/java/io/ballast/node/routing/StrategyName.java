package io.ballast.node.routing;

import java.util.Locale;
import java.util.Optional;
import java.util.random.RandomGenerator;

/** The strategies {@code --strategy} can name, each a factory of its {@link Strategy}. */
public enum StrategyName {
    LEAST_LOADED,
    ROUND_ROBIN,
    RANDOM,
    WEIGHTED_ROUND_ROBIN,
    LEAST_CONNECTIONS;

    /** The name as typed on the command line: {@code least-loaded}, {@code round-robin}, … */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public Strategy create(RandomGenerator random) {
        return switch (this) {
            case LEAST_LOADED -> new LeastLoaded(random);
            case ROUND_ROBIN -> new RoundRobin();
            case RANDOM -> new RandomPick(random);
            case WEIGHTED_ROUND_ROBIN -> new WeightedRoundRobin();
            case LEAST_CONNECTIONS -> new LeastConnections();
        };
    }

    public static Optional<StrategyName> parse(String value) {
        for (StrategyName name : values()) {
            if (name.flagValue().equals(value)) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
