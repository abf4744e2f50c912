package io.ballast.bench.load;

import java.time.Duration;
import java.util.List;

/**
 * The CPU that processes other than the bench and its servers take, and a wait for it to drop: on a shared machine
 * (a CI runner, a developer's box running tests) a measurement taken while others saturate the cores says more
 * about them than about the servers.
 */
public final class OtherLoad {

    private static final Duration SAMPLE = Duration.ofSeconds(1);

    private OtherLoad() {
    }

    /**
     * Waits until other processes keep fewer than {@code cores} cores busy over a one-second sample, or until
     * {@code longest} has passed, whichever comes first.
     *
     * @param ours the bench's servers (the bench itself always counts as ours)
     * @return the other load of the last sample, in cores (NaN where the machine's CPU time cannot be read)
     */
    public static double awaitBelow(double cores, Duration longest, List<ProcessHandle> ours) {
        long deadline = System.nanoTime() + longest.toNanos();
        double others;
        do {
            CpuSample before = CpuSample.take(ours);
            try {
                Thread.sleep(SAMPLE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
            others = before.until(CpuSample.take(ours)).otherCores();
        } while (others >= cores && System.nanoTime() < deadline);
        return others;
    }
}
