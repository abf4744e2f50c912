package io.ballast.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Signals for child processes, and a last line of defence against leaks: every process the harness starts is
 * tracked until it has been stopped, and a JVM shutdown hook kills whatever is still tracked (a test run interrupted
 * before its {@code close()} ran, for example).
 */
final class Processes {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process process : RUNNING) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }, "ballast-it-reaper"));
    }

    private Processes() {
    }

    static void track(Process process) {
        RUNNING.add(process);
    }

    static void untrack(Process process) {
        if (!process.isAlive()) {
            RUNNING.remove(process);
        }
    }

    /**
     * Runs {@code kill -<signal> <pid>}.
     *
     * @throws IllegalStateException when kill fails, e.g. because the process no longer exists
     */
    static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + pid + " did not finish within 5 s");
            }
            if (kill.exitValue() != 0) {
                String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed with status "
                        + kill.exitValue() + ": " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal + " " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + signal + " to " + pid, e);
        }
    }
}
