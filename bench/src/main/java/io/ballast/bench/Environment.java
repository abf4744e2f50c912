package io.ballast.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The machine and software a run was measured on, as the report states it.
 *
 * @param cores       processors available to the JVM
 * @param cpuModel    from /proc/cpuinfo, or "unknown"
 * @param memory      total memory, e.g. "23.5 GiB", or "unknown"
 * @param os          name, version and architecture
 * @param jvm         the JVM that runs the bench and the servers
 * @param loadAverage /proc/loadavg's 1-minute figure when the run started, or empty
 * @param nginx       {@code nginx -v}'s answer, or empty
 * @param haproxy     the first line of {@code haproxy -v}'s answer, or empty
 * @param commit      the project's git commit, marked when the working tree had changes, or empty
 */
public record Environment(int cores, String cpuModel, String memory, String os, String jvm,
                          Optional<String> loadAverage, Optional<String> nginx, Optional<String> haproxy,
                          Optional<String> commit) {

    static Environment capture(BenchOptions options, Path projectRoot) {
        return new Environment(Runtime.getRuntime().availableProcessors(), readCpuModel(), readMemory(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
                currentLoadAverage(),
                options.nginx().flatMap(binary -> output(List.of(binary.toString(), "-v"), projectRoot)),
                options.haproxy().flatMap(binary -> output(List.of(binary.toString(), "-v"), projectRoot))
                        .map(text -> text.lines().findFirst().orElse(text)),
                commit(projectRoot));
    }

    /** The 1-minute load average now, or empty where /proc/loadavg is not. */
    static Optional<String> currentLoadAverage() {
        try {
            return Optional.of(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String readCpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String readMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / (double) (1L << 30));
        }
        return "unknown";
    }

    private static Optional<String> commit(Path projectRoot) {
        Optional<String> head = output(List.of("git", "rev-parse", "--short", "HEAD"), projectRoot);
        Optional<String> changes = output(List.of("git", "status", "--porcelain", "--untracked-files=no"),
                projectRoot);
        return head.map(id -> id + changes.filter(text -> !text.isBlank())
                .map(text -> " (with uncommitted changes)").orElse(""));
    }

    /** What {@code command} prints (both streams), or empty when it fails or is not there. */
    private static Optional<String> output(List<String> command, Path dir) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
