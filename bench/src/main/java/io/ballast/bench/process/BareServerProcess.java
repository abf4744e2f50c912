package io.ballast.bench.process;

import io.ballast.bench.BareServer;
import io.ballast.bench.load.Target;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@link BareServer} as a child process, a JVM of its own as a node is. */
public final class BareServerProcess implements AutoCloseable {

    /** Names the class path to launch the bare server with; the bench's own class path when unset. */
    public static final String CLASSPATH_PROPERTY = "ballast.bench.classpath";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final String bind;
    private final int port;
    private final Process process;

    private BareServerProcess(String bind, int port, Process process) {
        this.bind = bind;
        this.port = port;
        this.process = process;
    }

    /**
     * The class path to start the bare server with: {@value #CLASSPATH_PROPERTY} if set, else the bench's own. A
     * single jar (the bench jar) is copied into {@code dir} first, so that a rebuild meanwhile cannot change it.
     */
    public static String classPath(Path dir) {
        String classPath = System.getProperty(CLASSPATH_PROPERTY, System.getProperty("java.class.path"));
        Path single = Path.of(classPath);
        if (classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar") || !Files.isRegularFile(single)) {
            return classPath;
        }
        try {
            Files.createDirectories(dir);
            Path copy = dir.resolve(single.getFileName());
            Files.copy(single, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + single + " into " + dir, e);
        }
    }

    /** Starts it with the same JVM options as the nodes, and returns once it answers {@code /hello}. */
    public static BareServerProcess start(String classPath, List<String> jvmOptions, String bind, int port,
                                          Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(BareServer.class.getName());
        command.addAll(List.of("--bind", bind, "--port", Integer.toString(port)));
        File log = logFile.toFile();
        log.getParentFile().mkdirs();
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log);
        BareServerProcess server = new BareServerProcess(bind, port, ChildProcesses.start(builder));
        try {
            server.awaitServing(logFile);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void awaitServing(Path logFile) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Probe.ok(url().resolve("/hello"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the bare server on " + bind + ":" + port + " is not serving "
                        + (process.isAlive() ? "after " + START_TIMEOUT.toSeconds() + " s" : "(it exited)")
                        + "; see " + logFile);
            }
            Probe.pause();
        }
    }

    public URI url() {
        return URI.create("http://" + bind + ":" + port);
    }

    public Target target() {
        return new Target(BareServer.NAME, url());
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    @Override
    public void close() {
        ChildProcesses.stop(process, STOP_GRACE);
    }
}
