package io.ballast.it.harness;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Linux network namespaces, bridges and routes through iproute2's {@code ip} command, and what they need: root, and
 * iproute2 itself. Everything made here is noted until it is removed, and a JVM shutdown hook removes whatever is
 * left (a test run interrupted before its {@code close()} ran), so that no namespace or bridge outlives the run.
 *
 * <p>{@link #assumeUsable()} is the gate of every test on namespaces: without root (or without {@code ip}) such a
 * test is skipped with one line saying why, except under CI ({@code CI=true}), where it fails, so that CI never
 * skips them silently.
 */
public final class NetNamespaces {

    private static final List<String> IP_LOCATIONS = List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip");
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    /** The {@code ip} arguments that remove what is still there, newest first when run. */
    private static final Set<List<String>> UNDO = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(NetNamespaces::undoAll, "ballast-it-netns-reaper"));
    }

    private NetNamespaces() {
    }

    /**
     * Skips the calling test (a JUnit assumption) when namespaces cannot be made here: not Linux, not root, or no
     * {@code ip} command. Under {@code CI=true} it fails instead.
     */
    public static void assumeUsable() {
        String missing = whatIsMissing();
        if (missing == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true, so this fails instead of being skipped: " + missing);
        }
        Assumptions.abort(missing);
    }

    private static String whatIsMissing() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
            return "network namespace tests need Linux";
        }
        if (!isRoot()) {
            return "network namespace tests need root (to create namespaces, a bridge and routes)";
        }
        if (ipCommand() == null) {
            return "network namespace tests need iproute2 (Debian package iproute2): no ip command";
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // real, effective, saved, fs: the effective one
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The path of the {@code ip} command, or null when iproute2 is not installed. */
    static String ipCommand() {
        for (String location : IP_LOCATIONS) {
            if (Files.isExecutable(Path.of(location))) {
                return location;
            }
        }
        return null;
    }

    /** The command line that runs {@code command} inside namespace {@code namespace}. */
    static List<String> inNamespace(String namespace, List<String> command) {
        List<String> line = new ArrayList<>(List.of(ipCommand(), "netns", "exec", namespace));
        line.addAll(command);
        return line;
    }

    /**
     * Runs {@code ip args…} and returns its output.
     *
     * @throws IllegalStateException when it fails, with what it said
     */
    static String ip(String... args) {
        List<String> command = new ArrayList<>(List.of(ipCommand()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs {@code command} inside {@code namespace} and returns its output. */
    static String exec(String namespace, String... command) {
        return run(inNamespace(namespace, List.of(command)));
    }

    /** Runs {@code ip made…}, and notes {@code ip undo…} to be run at {@link #undo} or at the latest at exit. */
    static void make(List<String> made, List<String> undo) {
        UNDO.add(List.copyOf(undo));
        try {
            ip(made.toArray(String[]::new));
        } catch (RuntimeException e) {
            UNDO.remove(undo);
            throw e;
        }
    }

    /** Runs {@code ip undo…} if it is still noted; a failure (the thing is gone already) is ignored. */
    static void undo(List<String> undo) {
        if (UNDO.remove(undo)) {
            try {
                ip(undo.toArray(String[]::new));
            } catch (RuntimeException e) {
                // gone with its namespace, or never made: nothing left to remove
            }
        }
    }

    private static void undoAll() {
        List<List<String>> left;
        synchronized (UNDO) {
            left = new ArrayList<>(UNDO);
        }
        Collections.reverse(left);
        left.forEach(NetNamespaces::undo);
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within "
                        + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with status "
                        + process.exitValue() + ": " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
