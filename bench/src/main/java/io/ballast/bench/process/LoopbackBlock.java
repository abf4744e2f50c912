package io.ballast.bench.process;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback addresses for one bench run: a random block {@code 127.A.B.0/24}, handing out {@code .2}, {@code .3}, …
 * so that every server of the run (node, nginx, bare server) has its own address and nothing collides with another
 * run, a test, or a process left over from a crashed run.
 */
public final class LoopbackBlock {

    private final String prefix;
    private int nextHost = 2;

    public LoopbackBlock() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.prefix = "127." + random.nextInt(10, 251) + "." + random.nextInt(1, 251) + ".";
    }

    /** The next unused address of the block. */
    public synchronized String next() {
        if (nextHost > 254) {
            throw new IllegalStateException("all addresses of " + prefix + "0/24 handed out");
        }
        return prefix + nextHost++;
    }

    /** The block, e.g. {@code 127.42.7.0/24}. */
    @Override
    public String toString() {
        return prefix + "0/24";
    }
}
