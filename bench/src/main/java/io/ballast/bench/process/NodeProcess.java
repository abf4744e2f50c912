package io.ballast.bench.process;

import io.ballast.bench.load.Target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One Ballast node as a child process, its output in a log file. */
public final class NodeProcess {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final String name;
    private final String bind;
    private final int httpPort;
    private final int clusterPort;
    private final Path logFile;
    private final Process process;
    /** The node's {@code --tls-cert}, when it speaks TLS. */
    private final Optional<Path> tlsCert;
    private final HttpClient probe;

    private NodeProcess(String name, String bind, int httpPort, int clusterPort, Path logFile, Process process,
                        Optional<Path> tlsCert) {
        this.tlsCert = tlsCert;
        this.probe = tlsCert.map(Probe::trusting).orElse(Probe.plain());
        this.name = name;
        this.bind = bind;
        this.httpPort = httpPort;
        this.clusterPort = clusterPort;
        this.logFile = logFile;
        this.process = process;
    }

    /**
     * Starts a node and returns at once; it serves and joins its cluster some seconds later.
     *
     * @param args the options after {@code --name}, {@code --bind}, {@code --http-port} and {@code --cluster-port}
     */
    static NodeProcess start(NodeJar jar, String name, String bind, int httpPort, int clusterPort, List<String> args,
                             Path logFile) {
        List<String> all = new ArrayList<>(List.of("--name", name, "--bind", bind,
                "--http-port", Integer.toString(httpPort), "--cluster-port", Integer.toString(clusterPort)));
        all.addAll(args);
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logFile.getParent(), e);
        }
        ProcessBuilder builder = new ProcessBuilder(jar.command(all))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        int tls = args.indexOf("--tls-cert");
        Optional<Path> tlsCert = tls >= 0 && tls + 1 < args.size() ? Optional.of(Path.of(args.get(tls + 1)))
                : Optional.empty();
        return new NodeProcess(name, bind, httpPort, clusterPort, logFile, ChildProcesses.start(builder), tlsCert);
    }

    public String name() {
        return name;
    }

    /** Where clients reach it, e.g. {@code http://127.42.7.2:21000}, or {@code https://…} with TLS. */
    public URI url() {
        return URI.create((tlsCert.isPresent() ? "https://" : "http://") + bind + ":" + httpPort);
    }

    /** A client for short probes of this node, trusting its certificate when it has one. */
    HttpClient probe() {
        return probe;
    }

    public Target target() {
        return new Target(name, url());
    }

    /** {@code host:port} of its cluster transport, as {@code --discovery static:} lists it. */
    String clusterAddress() {
        return bind + ":" + clusterPort;
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    Path logFile() {
        return logFile;
    }

    /** {@code kill -9}: the node dies at once, without leaving its cluster. */
    public void kill() {
        ChildProcesses.kill(process);
    }

    /** SIGTERM (the node leaves its cluster), without waiting. */
    void beginStop() {
        if (process.isAlive()) {
            process.destroy();
        }
    }

    /** Waits for the exit after {@link #beginStop()}; SIGKILL after a grace period. */
    void finishStop() {
        ChildProcesses.stop(process, STOP_GRACE);
    }

    @Override
    public String toString() {
        return name + " " + url();
    }
}
