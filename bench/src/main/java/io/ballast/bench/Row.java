package io.ballast.bench;

import io.ballast.bench.load.CpuUse;
import io.ballast.bench.load.Measurement;
import org.HdrHistogram.Histogram;

import java.util.Optional;
import java.util.Set;

/**
 * One line of a scenario's table: what a configuration did, or why it has no numbers.
 *
 * @param targetRate  the open-loop arrival rate in requests per second, or NaN for a closed loop
 * @param measurement the measured window; empty when the row was skipped or failed
 * @param latencies   the latencies this row shows: all of the measurement's, or one side of a split
 * @param cpu         CPU used during the window
 * @param dead        targets killed during the window, whose errors are DNS's part
 * @param missing     why there are no numbers ({@code skipped: …} or {@code FAILED: …}), or empty
 */
public record Row(Scenario scenario, Configuration configuration, double targetRate,
                  Optional<Measurement> measurement, Optional<Histogram> latencies, CpuUse cpu, Set<String> dead,
                  Optional<String> missing) {

    /** Other processes' CPU, in cores, above which a row counts as {@link #disturbed()}. */
    public static final double DISTURBING_CORES = 0.5;

    public Row {
        dead = Set.copyOf(dead);
    }

    static Row measured(Scenario scenario, Configuration configuration, double targetRate, Measurement measurement,
                        Histogram latencies, CpuUse cpu, Set<String> dead) {
        return new Row(scenario, configuration, targetRate, Optional.of(measurement), Optional.of(latencies), cpu,
                dead, Optional.empty());
    }

    static Row skipped(Scenario scenario, Configuration configuration, String reason) {
        return new Row(scenario, configuration, Double.NaN, Optional.empty(), Optional.empty(), CpuUse.UNKNOWN,
                Set.of(), Optional.of("skipped: " + reason));
    }

    static Row failed(Scenario scenario, Configuration configuration, String reason) {
        return new Row(scenario, configuration, Double.NaN, Optional.empty(), Optional.empty(), CpuUse.UNKNOWN,
                Set.of(), Optional.of("FAILED: " + reason));
    }

    public boolean hasNumbers() {
        return measurement.isPresent();
    }

    public boolean isFailed() {
        return missing.map(reason -> reason.startsWith("FAILED")).orElse(false);
    }

    /** The latency at {@code percentile} (e.g. 99.0), in microseconds; NaN without numbers or samples. */
    public double percentileMicros(double percentile) {
        return latencies.filter(histogram -> histogram.getTotalCount() > 0)
                .map(histogram -> (double) histogram.getValueAtPercentile(percentile))
                .orElse(Double.NaN);
    }

    /** 2xx responses in this row's latencies. */
    public long okCount() {
        return latencies.map(Histogram::getTotalCount).orElse(0L);
    }

    /**
     * Whether other processes on the machine kept more than {@value #DISTURBING_CORES} cores busy during the window:
     * its numbers then say as much about them as about the servers.
     */
    public boolean disturbed() {
        return cpu.otherCores() > DISTURBING_CORES;
    }

    /** Errors at targets that stayed alive. */
    public long errorsAtSurvivors() {
        return measurement.map(m -> m.errors().keySet().stream().filter(target -> !dead.contains(target))
                .mapToLong(m::errorsAt).sum()).orElse(0L);
    }
}
