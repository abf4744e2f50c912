package io.ballast.bench.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the bench starts, so that none outlives it: each is tracked from start until it has exited, and a
 * JVM shutdown hook kills whatever is still tracked (a run that failed, or was interrupted with Ctrl-C, before its
 * own {@code close()} ran). Children of children (nginx's workers) go with their parent.
 */
public final class ChildProcesses {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "ballast-bench-reaper"));
    }

    private ChildProcesses() {
    }

    /** Starts {@code builder}'s command and tracks the process until {@link #stop} or {@link #kill} sees it gone. */
    public static Process start(ProcessBuilder builder) {
        try {
            Process process = builder.start();
            RUNNING.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", builder.command()), e);
        }
    }

    /** SIGTERM, then SIGKILL (to it and its descendants) if it has not exited within {@code grace}. */
    public static void stop(Process process, Duration grace) {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    kill(process);
                }
            } catch (InterruptedException e) {
                kill(process);
                Thread.currentThread().interrupt();
            }
        }
        forget(process);
    }

    /** SIGKILL to the process and its descendants; returns once it has exited (or after 10 s). */
    public static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forget(process);
    }

    private static void forget(Process process) {
        if (!process.isAlive()) {
            RUNNING.remove(process);
        }
    }

    private static void killAll() {
        for (Process process : RUNNING) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
