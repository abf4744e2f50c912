package io.ballast.it.harness;

import io.ballast.protocol.ClusterView;
import io.ballast.protocol.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * One Ballast node running as its own process: {@code java -Xmx256m -jar <node jar> <args>}, where the node jar is
 * a copy of the one named by the system property {@value #JAR_PROPERTY} ({@link #jar()}).
 *
 * <p>Standard output goes straight to the node's log file; standard error goes to the same file line by line and is
 * also kept in memory, so that a test can check exactly what the node said there ({@link #stderr()}). A restart
 * appends to the same log file after a marker line.
 *
 * <p>A node whose spec names a {@link NodeSpec#host() host} runs inside that network namespace, under
 * {@code ip netns exec}, which replaces itself with the node's JVM: the process is the node's.
 *
 * <p>Signals are sent to the process itself: {@link #kill()} (SIGKILL), {@link #terminate()} (SIGTERM),
 * {@link #pause()} (SIGSTOP) and {@link #resume()} (SIGCONT). {@link #close()} stops it whatever state it is in.
 */
public final class NodeProcess implements AutoCloseable {

    /** The system property that names the node jar; failsafe sets it to the module's build output. */
    public static final String JAR_PROPERTY = "ballast.jar";

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final int STDERR_LINES_KEPT = 1_000;

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private static Path pinnedJar;

    private final NodeSpec spec;
    private final Path logFile;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private Process process;
    private Thread stderrPump;
    private volatile boolean paused;
    private HttpClient https;

    private NodeProcess(NodeSpec spec, Path logFile) {
        this.spec = spec;
        this.logFile = logFile;
    }

    /**
     * Starts a node and returns at once: the process is running, but need not serve HTTP or have joined its cluster
     * yet. The log file is started afresh.
     */
    public static NodeProcess start(NodeSpec spec, Path logFile) {
        NodeProcess node = new NodeProcess(spec, logFile);
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            Files.writeString(logFile, "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the log file " + logFile, e);
        }
        node.launch();
        return node;
    }

    /**
     * The node jar that every node of this test run runs: a private copy of the one named by
     * {@value #JAR_PROPERTY}, made on first use. A JVM loads classes from its jar lazily, so a rebuild of
     * {@code node/target/ballast-node.jar} while nodes run would break them; the copy keeps one build for the run.
     */
    public static synchronized Path jar() {
        if (pinnedJar == null) {
            pinnedJar = NodeJar.copyOf(sourceJar(), TestCluster.logRoot());
        }
        return pinnedJar;
    }

    /** The jar named by {@value #JAR_PROPERTY}; fails clearly when the property or the jar is missing. */
    static Path sourceJar() {
        String property = System.getProperty(JAR_PROPERTY);
        if (property == null || property.isBlank()) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is not set: run these tests "
                    + "through 'mvn verify', which points it at node/target/ballast-node.jar");
        }
        Path jar = Path.of(property).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(JAR_PROPERTY + "=" + jar + " does not exist: build it with "
                    + "'mvn -DskipTests package' first");
        }
        return jar;
    }

    private synchronized void launch() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar", jar().toString()));
        command.addAll(spec.args());
        if (spec.host() != null) {
            command = NetNamespaces.inNamespace(spec.host(), command); // ip netns exec replaces itself with java
        }
        stderr.clear();
        paused = false;
        appendToLog("---- " + LocalTime.now() + " harness: starting " + String.join(" ", command) + "\n");
        try {
            process = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            process.getOutputStream().close(); // a node reads nothing from its standard input
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + spec.name(), e);
        }
        Process started = process;
        stderrPump = new Thread(() -> pumpStderr(started), "stderr-" + spec.name());
        stderrPump.setDaemon(true);
        stderrPump.start();
        Processes.track(started);
    }

    /** Copies the node's standard error into its log, line by line, and keeps the lines for {@link #stderr()}. */
    private void pumpStderr(Process source) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(source.getErrorStream(),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (stderr.size() < STDERR_LINES_KEPT) {
                    stderr.add(line);
                }
                appendToLog(line + "\n");
            }
        } catch (IOException | UncheckedIOException e) {
            // the process is gone and so is its pipe, or the log went away: nothing more to copy
        }
    }

    private void appendToLog(String text) {
        // Appends in one write on a file opened for appending, as the node's own output is: lines never tear.
        try (OutputStream out = Files.newOutputStream(logFile, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + logFile, e);
        }
    }

    /** Starts the node again with the same arguments, after it has exited; its log goes on in the same file. */
    public synchronized void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("node " + spec.name() + " is still running (pid " + pid() + ")");
        }
        Processes.untrack(process);
        try {
            stderrPump.join(TimeUnit.SECONDS.toMillis(2)); // the last run's stderr is all copied before a new one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted restarting " + spec.name(), e);
        }
        launch();
    }

    public NodeSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public String bind() {
        return spec.bind();
    }

    public int httpPort() {
        return spec.httpPort();
    }

    public int clusterPort() {
        return spec.clusterPort();
    }

    /** The node's base URL, e.g. {@code http://127.42.7.2:21000}, the same that it reports in the view. */
    public String url() {
        return spec.url();
    }

    public Path logFile() {
        return logFile;
    }

    public synchronized long pid() {
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status of the current (or last) run, or empty while it runs. */
    public synchronized OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Whether the last signal this harness sent the running process was SIGSTOP. */
    public boolean isPaused() {
        return paused && isAlive();
    }

    /**
     * {@code GET} of {@code pathAndQuery} on this node, with short timeouts.
     *
     * @throws UncheckedIOException when the node does not answer (refused, reset, timed out)
     */
    public HttpResponse<String> get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
        try {
            return client().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + url() + pathAndQuery + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + url() + pathAndQuery, e);
        }
    }

    /**
     * The client for this node: plain, or for a node with {@code --tls-cert} one that trusts the certificates of
     * that file (the node's and its CA's) as they were when first asked.
     */
    private HttpClient client() {
        if (spec.tlsCert().isEmpty()) {
            return HTTP;
        }
        synchronized (this) {
            if (https == null) {
                https = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(CONNECT_TIMEOUT)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .sslContext(trusting(spec.tlsCert().get()))
                        .build();
            }
            return https;
        }
    }

    private static SSLContext trusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("anchor-" + i++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the certificates of " + pemFile + ": " + e, e);
        }
    }

    /**
     * The cluster as this node reports it at {@code /_ballast/cluster}.
     *
     * @throws UncheckedIOException  when the node does not answer
     * @throws IllegalStateException when it answers with another status than 200, or not with a view
     */
    public ClusterView view() {
        HttpResponse<String> response = get("/_ballast/cluster");
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /_ballast/cluster on " + name() + ": status "
                    + response.statusCode() + ": " + response.body().strip());
        }
        try {
            return Json.read(response.body(), ClusterView.class);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("GET /_ballast/cluster on " + name() + ": " + e.getMessage(), e);
        }
    }

    /** SIGKILL: the process dies at once, without leaving its cluster. */
    public synchronized void kill() {
        destroyTree(process);
        paused = false;
    }

    /** SIGKILL to {@code root} and to every process under it (a launcher that forked would leave its child). */
    private static void destroyTree(Process root) {
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        root.destroyForcibly();
    }

    /** SIGTERM: the node should leave its cluster and exit 0. */
    public void terminate() {
        signal("TERM");
    }

    /** SIGSTOP: the process freezes with its sockets open, as a hung or swapped-out server does. */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** SIGCONT: a {@link #pause() paused} process goes on from where it was. */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    /** Sends {@code kill -<name> <pid>}, e.g. {@code signal("HUP")}. */
    public void signal(String name) {
        Processes.signal(name, pid());
    }

    /**
     * Waits until the process has exited and returns its exit status (128 + the signal number when a signal ended
     * it, e.g. 137 after SIGKILL).
     *
     * @throws AssertionError when it is still running after {@code timeout}, with the end of its log
     */
    public int awaitExit(Duration timeout) {
        Process current;
        Thread pump;
        synchronized (this) {
            current = process;
            pump = stderrPump;
        }
        try {
            if (!current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("node " + name() + " (pid " + current.pid() + ") still running "
                        + timeout.toMillis() + " ms later; last lines of " + logFile + ":\n"
                        + String.join("\n", logTail(30)));
            }
            pump.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for node " + name() + " to exit", e);
        }
        return current.exitValue();
    }

    /** What the current (or last) run of the node wrote to standard error, line by line. */
    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    /** The last {@code lines} lines of the node's log file (all of it when shorter). */
    public List<String> logTail(int lines) {
        return LogFiles.tail(logFile, lines);
    }

    /**
     * Stops the node whatever its state: a paused one is resumed first, then SIGTERM, then SIGKILL if it has not
     * exited within a grace period. Safe to call more than once.
     */
    @Override
    public void close() {
        beginStop();
        finishStop(System.nanoTime() + STOP_GRACE.toNanos());
    }

    /** First half of {@link #close()}: asks the process to stop without waiting, so that many stop at once. */
    synchronized void beginStop() {
        if (!process.isAlive()) {
            return;
        }
        try {
            if (paused) {
                resume();
            }
            terminate();
        } catch (RuntimeException e) {
            destroyTree(process);
        }
    }

    /** Second half of {@link #close()}: waits until {@code deadlineNanos}, then kills what is left. */
    void finishStop(long deadlineNanos) {
        Process current;
        synchronized (this) {
            current = process;
        }
        try {
            long left = Math.max(0, deadlineNanos - System.nanoTime());
            if (!current.waitFor(left, TimeUnit.NANOSECONDS)) {
                appendToLog("---- " + LocalTime.now() + " harness: no exit after SIGTERM, sending SIGKILL\n");
                destroyTree(current);
                current.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            destroyTree(current);
            Thread.currentThread().interrupt();
        } finally {
            Processes.untrack(current);
        }
    }

    @Override
    public String toString() {
        return name() + " " + url();
    }
}
