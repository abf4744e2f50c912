package io.ballast.bench.process;

import io.ballast.bench.load.Target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * nginx as an external balancer in front of Ballast nodes: {@code least_conn} over a keep-alive upstream, run in
 * the foreground by the bench with a generated configuration whose every path (pid, error log, temp files) is in
 * its own directory; no access log. Or nginx terminating TLS in front of one plain server, as a node without TLS of
 * its own would need ({@link #startTlsFront}). {@link #close()} stops it and its workers.
 */
public final class Nginx implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final List<Path> USUAL_PLACES = List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/sbin/nginx"),
            Path.of("/usr/bin/nginx"), Path.of("/usr/local/nginx/sbin/nginx"));

    private final String bind;
    private final int port;
    private final Path dir;
    private final Process process;
    private final boolean tls;
    private final HttpClient probe;

    private Nginx(String bind, int port, Path dir, Process process, boolean tls, HttpClient probe) {
        this.bind = bind;
        this.port = port;
        this.dir = dir;
        this.process = process;
        this.tls = tls;
        this.probe = probe;
    }

    /** The nginx binary: on the PATH or in one of the usual places, or empty when it is not installed. */
    public static Optional<Path> find() {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(entry -> !entry.isBlank())
                .map(entry -> Path.of(entry, "nginx"));
        return Stream.concat(onPath, USUAL_PLACES.stream()).filter(Files::isExecutable).findFirst();
    }

    /**
     * Starts nginx on {@code bind:port} balancing over {@code backends}, and returns once a request through it
     * has been answered.
     *
     * @param dir an empty directory for its configuration, pid, error log and temp files
     */
    public static Nginx start(Path binary, String bind, int port, List<URI> backends, Path dir) {
        return start(binary, bind, port, dir, configuration(bind, port, backends, dir), false, Probe.plain());
    }

    /**
     * Starts nginx on {@code bind:port} terminating TLS with {@code certificate} in front of the plain server
     * {@code backend}, and returns once a request through it has been answered.
     *
     * @param dir an empty directory for its configuration, pid, error log and temp files
     */
    public static Nginx startTlsFront(Path binary, String bind, int port, URI backend, BenchCertificate certificate,
                                      Path dir) {
        return start(binary, bind, port, dir, tlsConfiguration(bind, port, backend, certificate, dir), true,
                Probe.trusting(certificate.cert()));
    }

    private static Nginx start(Path binary, String bind, int port, Path dir, String configuration, boolean tls,
                               HttpClient probe) {
        try {
            Files.createDirectories(dir);
            // Workers may run as another user than the master (root's workers are 'nobody'): let them in.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(dir.resolve("nginx.conf"), configuration, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write nginx's configuration in " + dir, e);
        }
        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c",
                dir.resolve("nginx.conf").toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("output.log").toFile());
        Nginx nginx = new Nginx(bind, port, dir, ChildProcesses.start(builder), tls, probe);
        try {
            nginx.awaitServing();
            return nginx;
        } catch (RuntimeException e) {
            nginx.close();
            throw e;
        }
    }

    /** The whole nginx.conf: one worker, so that least_conn counts every connection in one place. */
    static String configuration(String bind, int port, List<URI> backends, Path dir) {
        String servers = backends.stream()
                .map(url -> "        server " + url.getHost() + ":" + url.getPort() + ";")
                .collect(Collectors.joining("\n"));
        return """
                daemon off;
                master_process on;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events {
                    worker_connections 8192;
                }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    upstream ballast {
                        least_conn;
                %2$s
                        keepalive 64;
                    }
                    server {
                        listen %3$s:%4$d;
                        location / {
                            proxy_pass http://ballast;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(dir, servers, bind, port);
    }

    /**
     * nginx.conf for TLS in front of one server: a worker per core (nginx's usual {@code auto}), TLS 1.2 and 1.3
     * with a session cache, HTTP/1.1 with keep-alive to the client and to the backend.
     */
    static String tlsConfiguration(String bind, int port, URI backend, BenchCertificate certificate, Path dir) {
        return """
                daemon off;
                master_process on;
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events {
                    worker_connections 8192;
                }
                http {
                    access_log off;
                    client_body_temp_path %1$s/client_body;
                    proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi;
                    uwsgi_temp_path %1$s/uwsgi;
                    scgi_temp_path %1$s/scgi;
                    upstream backend {
                        server %2$s:%3$d;
                        keepalive 64;
                    }
                    server {
                        listen %4$s:%5$d ssl;
                        ssl_certificate %6$s;
                        ssl_certificate_key %7$s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        ssl_session_cache shared:bench:1m;
                        keepalive_requests 1000000;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                        }
                    }
                }
                """.formatted(dir, backend.getHost(), backend.getPort(), bind, port, certificate.cert(),
                certificate.key());
    }

    private void awaitServing() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        URI hello = url().resolve("/hello");
        while (!Probe.ok(probe, hello)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("nginx on " + bind + ":" + port + " is not serving "
                        + (process.isAlive() ? "after " + START_TIMEOUT.toSeconds() + " s" : "(it exited)")
                        + "; its error log:\n" + errorLog());
            }
            Probe.pause();
        }
    }

    private String errorLog() {
        StringBuilder text = new StringBuilder();
        for (String file : List.of("output.log", "error.log")) {
            try {
                text.append(Files.readString(dir.resolve(file), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.append("(no ").append(file).append(")\n");
            }
        }
        return text.toString();
    }

    public URI url() {
        return URI.create((tls ? "https://" : "http://") + bind + ":" + port);
    }

    public Target target() {
        return new Target("nginx", url());
    }

    /** The master and its worker, for CPU accounting. */
    public List<ProcessHandle> handles() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).toList();
    }

    /** SIGTERM (nginx's fast shutdown: the master stops its worker), then SIGKILL to both if needed. */
    @Override
    public void close() {
        ChildProcesses.stop(process, STOP_GRACE);
    }
}
