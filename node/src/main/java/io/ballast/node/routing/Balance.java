package io.ballast.node.routing;

import java.util.Locale;
import java.util.Optional;

/** When a node hands a request to a peer ({@code --balance}). */
public enum Balance {
    /** Serve here unless a peer is meaningfully less loaded: under even load nobody forwards. */
    ADAPTIVE,
    /** Place every request by the strategy among all members, this node included, as a software balancer would. */
    ALWAYS,
    /** Never forward: DNS alone spreads the load. */
    OFF;

    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Balance> parse(String value) {
        for (Balance balance : values()) {
            if (balance.flagValue().equals(value)) {
                return Optional.of(balance);
            }
        }
        return Optional.empty();
    }
}
