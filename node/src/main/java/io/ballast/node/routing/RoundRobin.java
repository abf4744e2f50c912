package io.ballast.node.routing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each candidate in turn. */
public final class RoundRobin implements Strategy {

    private final AtomicLong next = new AtomicLong();

    @Override
    public Candidate pick(List<Candidate> candidates) {
        if (candidates.isEmpty()) {
            return null;
        }
        return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
    }
}
