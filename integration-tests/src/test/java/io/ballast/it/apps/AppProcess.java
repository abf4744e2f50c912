package io.ballast.it.apps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An {@link UpstreamApp} in a process of its own, on a loopback address; {@link #close()} kills it. */
public final class AppProcess implements AutoCloseable {

    private final Process process;
    private final String address;
    private final int port;

    private AppProcess(Process process, String address, int port) {
        this.process = process;
        this.address = address;
        this.port = port;
    }

    /** Starts the app, logging to {@code log}, and returns once it accepts connections (within 20 s). */
    public static AppProcess start(String address, int port, String name, Path log) throws IOException {
        return start(UpstreamApp.class, address, port, name, log);
    }

    /**
     * Starts the app whose {@code main(ADDRESS PORT NAME)} is in {@code main}, logging to {@code log}, and returns once
     * it accepts connections (within 20 s).
     */
    public static AppProcess start(Class<?> main, String address, int port, String name, Path log)
            throws IOException {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), main.getName(), address,
                Integer.toString(port), name);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        AppProcess app = new AppProcess(process, address, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!app.accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                app.close();
                throw new IllegalStateException("upstream app " + name + " did not start; see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                app.close();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return app;
    }

    /** The app's base URL, for {@code --upstream}. */
    public String url() {
        return "http://" + address + ":" + port;
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Kills the app at once (SIGKILL) and waits for it to be gone. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
