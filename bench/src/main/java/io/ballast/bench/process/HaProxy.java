package io.ballast.bench.process;

import io.ballast.bench.load.Target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * HAProxy as an external balancer in front of Ballast nodes: {@code balance leastconn} with keep-alive connections to
 * the nodes, one process with one thread (so that leastconn counts every connection in one place, as nginx's single
 * worker does), run in the foreground ({@code -db}) by the bench with a generated configuration in its own
 * directory; no logging. {@link #close()} stops it.
 */
public final class HaProxy implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final List<Path> USUAL_PLACES = List.of(Path.of("/usr/sbin/haproxy"),
            Path.of("/usr/local/sbin/haproxy"), Path.of("/usr/bin/haproxy"));

    private final String bind;
    private final int port;
    private final Path dir;
    private final Process process;

    private HaProxy(String bind, int port, Path dir, Process process) {
        this.bind = bind;
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    /** The haproxy binary: on the PATH or in one of the usual places, or empty when it is not installed. */
    public static Optional<Path> find() {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, "haproxy"));
        return Stream.concat(onPath, USUAL_PLACES.stream()).filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts HAProxy on {@code bind:port} balancing over {@code backends}, and returns once a request through it has
     * been answered.
     *
     * @param dir an empty directory for its configuration and output
     */
    public static HaProxy start(Path binary, String bind, int port, List<URI> backends, Path dir) {
        Path config = dir.resolve("haproxy.cfg");
        try {
            Files.createDirectories(dir);
            Files.writeString(config, configuration(bind, port, backends), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write HAProxy's configuration in " + dir, e);
        }
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile());
        HaProxy haProxy = new HaProxy(bind, port, dir, ChildProcesses.start(builder));
        try {
            haProxy.awaitServing();
            return haProxy;
        } catch (RuntimeException e) {
            haProxy.close();
            throw e;
        }
    }

    /**
     * The whole haproxy.cfg. Timeouts as long as the bench's client waits and more, so that HAProxy never answers
     * for a node; {@code http-reuse always} keeps the connections to the nodes open across requests, as nginx's
     * {@code keepalive} does. A request whose connection to a node fails goes to another node ({@code retries},
     * {@code option redispatch 1}), and a TCP check every second takes a dead node out, as nginx's passive
     * {@code max_fails} does: without them HAProxy would keep sending a killed node its share and fail it.
     */
    static String configuration(String bind, int port, List<URI> backends) {
        String servers = IntStream.range(0, backends.size())
                .mapToObj(i -> "    server node" + (i + 1) + " " + backends.get(i).getHost() + ":"
                        + backends.get(i).getPort())
                .collect(Collectors.joining("\n"));
        return """
                global
                    nbthread 1
                    maxconn 8192

                defaults
                    mode http
                    option http-keep-alive
                    http-reuse always
                    timeout connect 5s
                    timeout client 120s
                    timeout server 120s
                    timeout http-keep-alive 60s
                    retries 3
                    option redispatch 1
                    default-server check inter 1s fall 2 rise 2

                frontend bench
                    bind %1$s:%2$d
                    default_backend ballast

                backend ballast
                    balance leastconn
                %3$s
                """.formatted(bind, port, servers);
    }

    private void awaitServing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        URI hello = url().resolve("/hello");
        while (!Probe.ok(hello)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("HAProxy on " + bind + ":" + port + " is not serving "
                        + (process.isAlive() ? "after " + START_TIMEOUT.toSeconds() + " s" : "(it exited)")
                        + "; its output:\n" + output());
            }
            Probe.pause();
        }
    }

    private String output() {
        try {
            return Files.readString(dir.resolve("output.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output.log)\n";
        }
    }

    public URI url() {
        return URI.create("http://" + bind + ":" + port);
    }

    public Target target() {
        return new Target("haproxy", url());
    }

    /** The process (and any child), for CPU accounting. */
    public List<ProcessHandle> handles() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
    }

    /** SIGTERM (HAProxy's hard stop), then SIGKILL if needed. */
    @Override
    public void close() {
        ChildProcesses.stop(process, STOP_GRACE);
    }
}
