package io.ballast.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time used so far, read at one moment: by the whole machine (from {@code /proc/stat}), by the bench's own
 * process, and by the server processes being measured. Two samples give a {@link CpuUse}.
 *
 * @param wallNanos     {@link System#nanoTime()} when taken
 * @param machineBusy   jiffies all the machine's cores spent busy (not idle, not waiting for I/O), or -1 when
 *                      unknown
 * @param machineTotal  all jiffies of all cores, or -1 when unknown
 * @param cores         the machine's cores, as /proc/stat lists them
 * @param benchNanos    CPU time of this process
 * @param serverNanos   CPU time of each server process, by pid (missing once a process is gone)
 */
public record CpuSample(long wallNanos, long machineBusy, long machineTotal, int cores, long benchNanos,
                        Map<Long, Long> serverNanos) {

    public CpuSample {
        serverNanos = Map.copyOf(serverNanos);
    }

    private static final Path PROC_STAT = Path.of("/proc/stat");

    public static CpuSample take(List<ProcessHandle> servers) {
        long[] machine = machineJiffies();
        int cores = (int) machine[2];
        Map<Long, Long> serverNanos = new HashMap<>();
        for (ProcessHandle server : servers) {
            server.info().totalCpuDuration().ifPresent(cpu -> serverNanos.put(server.pid(), cpu.toNanos()));
        }
        return new CpuSample(System.nanoTime(), machine[0], machine[1], cores, cpuNanos(ProcessHandle.current()),
                serverNanos);
    }

    /** {busy, total, cores} from /proc/stat, or {-1, -1, 0}. */
    private static long[] machineJiffies() {
        try {
            List<String> lines = Files.readAllLines(PROC_STAT);
            long cores = lines.stream().filter(line -> line.matches("cpu\\d+ .*")).count();
            String[] fields = lines.get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < fields.length; i++) {
                total += Long.parseLong(fields[i]);
            }
            long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
            return new long[] {total - idle, total, cores};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1, 0};
        }
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** What was used from this sample to {@code later}. */
    public CpuUse until(CpuSample later) {
        double seconds = (later.wallNanos - wallNanos) / 1e9;
        double machine = machineBusy < 0 || later.machineTotal <= machineTotal ? Double.NaN
                : seconds * cores * (later.machineBusy - machineBusy) / (double) (later.machineTotal - machineTotal);
        long server = 0;
        for (Map.Entry<Long, Long> before : serverNanos.entrySet()) {
            Long after = later.serverNanos.get(before.getKey());
            if (after != null) {
                server += Math.max(0, after - before.getValue());
            }
        }
        return new CpuUse(seconds, machine, Math.max(0, later.benchNanos - benchNanos) / 1e9, server / 1e9);
    }
}
