package io.ballast.bench;

import io.ballast.bench.load.CpuUse;
import io.ballast.bench.load.Measurement;
import io.ballast.bench.load.TrafficRates;

import java.time.Duration;
import java.util.Optional;

/**
 * One cluster size of the scale scenario: how long the cluster took to form, and what each node sent, received and
 * spent at rest and under even load.
 *
 * @param size       nodes in the cluster
 * @param formed     from the launch of the last node until every node was ready and saw every member UP
 * @param atRest     the nodes' traffic and CPU with no client load
 * @param underLoad  the same under the even load
 * @param loadRate   the even load's arrival rate, in requests per second
 * @param load       the even load's measured window
 * @param restCpu    CPU over the window at rest (the nodes', the bench's, the machine's)
 * @param loadCpu    CPU over the window under load
 * @param missing    why there are no numbers ({@code skipped: …} or {@code FAILED: …}), or empty
 * @param loadMissing why there are numbers at rest only ({@code FAILED: …}), or empty
 */
public record ScaleRow(int size, Duration formed, TrafficRates atRest, TrafficRates underLoad, double loadRate,
                       Measurement load, CpuUse restCpu, CpuUse loadCpu, Optional<String> missing,
                       Optional<String> loadMissing) {

    static ScaleRow measured(int size, Duration formed, TrafficRates atRest, TrafficRates underLoad, double loadRate,
                             Measurement load, CpuUse restCpu, CpuUse loadCpu) {
        return new ScaleRow(size, formed, atRest, underLoad, loadRate, load, restCpu, loadCpu, Optional.empty(),
                Optional.empty());
    }

    static ScaleRow restOnly(int size, Duration formed, TrafficRates atRest, CpuUse restCpu, double loadRate,
                             String reason) {
        return new ScaleRow(size, formed, atRest, null, loadRate, null, restCpu, CpuUse.UNKNOWN, Optional.empty(),
                Optional.of("FAILED: " + reason));
    }

    static ScaleRow skipped(int size, String reason) {
        return new ScaleRow(size, null, null, null, Double.NaN, null, CpuUse.UNKNOWN, CpuUse.UNKNOWN,
                Optional.of("skipped: " + reason), Optional.empty());
    }

    static ScaleRow failed(int size, String reason) {
        return new ScaleRow(size, null, null, null, Double.NaN, null, CpuUse.UNKNOWN, CpuUse.UNKNOWN,
                Optional.of("FAILED: " + reason), Optional.empty());
    }

    /** Whether it has numbers at rest, at least. */
    public boolean hasNumbers() {
        return missing.isEmpty();
    }

    /** Whether it has numbers under load too. */
    public boolean hasLoadNumbers() {
        return missing.isEmpty() && loadMissing.isEmpty();
    }

    public boolean isFailed() {
        return missing.or(() -> loadMissing).map(reason -> reason.startsWith("FAILED")).orElse(false);
    }
}
