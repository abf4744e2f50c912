package io.ballast.bench.load;

/**
 * CPU used over a measured window, in CPU seconds.
 *
 * @param seconds        the window's length
 * @param machineSeconds CPU seconds the whole machine was busy (all processes, all cores; NaN when unknown)
 * @param benchSeconds   used by the bench (load generator)
 * @param serverSeconds  used by the server processes measured (nodes, nginx, bare server); a process killed during
 *                       the window is left out
 */
public record CpuUse(double seconds, double machineSeconds, double benchSeconds, double serverSeconds) {

    /** No sample was taken. */
    public static final CpuUse UNKNOWN = new CpuUse(Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** This window and {@code other} as one. */
    public CpuUse plus(CpuUse other) {
        return new CpuUse(seconds + other.seconds, machineSeconds + other.machineSeconds,
                benchSeconds + other.benchSeconds, serverSeconds + other.serverSeconds);
    }

    /** Cores the servers kept busy on average. */
    public double serverCores() {
        return serverSeconds / seconds;
    }

    /** Cores the bench kept busy on average. */
    public double benchCores() {
        return benchSeconds / seconds;
    }

    /** Cores that other processes on the machine kept busy (never below 0). */
    public double otherCores() {
        return Math.max(0, (machineSeconds - benchSeconds - serverSeconds) / seconds);
    }
}
