package io.ballast.it.harness;

import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real DNS server for DNS discovery tests: {@code dnsmasq} (Debian package {@code dnsmasq-base}) in the
 * foreground, on 127.0.0.1 and a free port, answering A records from a hosts file and nothing else (no upstream
 * servers, no {@code /etc/hosts}). Queries are logged to {@code dnsmasq.log} next to the hosts file.
 *
 * <pre>{@code
 * try (Dnsmasq dns = Dnsmasq.start(dir, Map.of("nodes.it.test", List.of("127.9.9.2", "127.9.9.3")), ports)) {
 *     String discovery = dns.discovery("nodes.it.test");  // dns:nodes.it.test@127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class Dnsmasq implements AutoCloseable {

    /** Where Debian installs it; the system property {@code ballast.dnsmasq} overrides. */
    public static final String DEFAULT_EXECUTABLE = "/usr/sbin/dnsmasq";
    public static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final int port;
    private final Path logFile;

    private Dnsmasq(Process process, int port, Path logFile) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
    }

    /** The dnsmasq to run: {@code -Dballast.dnsmasq=...} or {@value #DEFAULT_EXECUTABLE}. */
    public static Path executable() {
        return Path.of(System.getProperty("ballast.dnsmasq", DEFAULT_EXECUTABLE));
    }

    /** Whether dnsmasq is installed here (CI installs {@code dnsmasq-base} when it is not). */
    public static boolean isInstalled() {
        return Files.isExecutable(executable());
    }

    /**
     * Starts dnsmasq and returns once it answers every name in {@code aRecords} with all of its addresses.
     *
     * @param workDir  where its hosts file and log go
     * @param aRecords names and the addresses each resolves to (several addresses: several A records)
     */
    public static Dnsmasq start(Path workDir, Map<String, List<String>> aRecords, FreePorts ports) {
        if (!isInstalled()) {
            throw new IllegalStateException(executable() + " not found: install the Debian package dnsmasq-base "
                    + "(.ci/run does) or point -Dballast.dnsmasq at a dnsmasq");
        }
        Path hosts = workDir.resolve("dnsmasq.hosts");
        Path log = workDir.resolve("dnsmasq.log");
        StringBuilder lines = new StringBuilder();
        aRecords.forEach((name, addresses) -> addresses.forEach(a -> lines.append(a).append(' ').append(name)
                .append('\n')));
        try {
            Files.createDirectories(workDir);
            Files.writeString(hosts, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + hosts, e);
        }
        int port = ports.udpAndTcp(HOST);
        List<String> command = List.of(
                executable().toString(),
                "--keep-in-foreground",
                "--conf-file=/dev/null",     // ignore any system-wide configuration
                "--pid-file=",               // no pid file
                "--user=" + System.getProperty("user.name"), // as root: do not switch to 'nobody'
                "--port=" + port,
                "--listen-address=" + HOST,
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--addn-hosts=" + hosts.toAbsolutePath(),
                "--local-ttl=0",
                "--log-queries",
                "--log-facility=-");
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Processes.track(process);
        Dnsmasq dns = new Dnsmasq(process, port, log);
        try {
            dns.awaitAnswers(aRecords);
        } catch (RuntimeException | AssertionError e) {
            dns.close();
            throw e;
        }
        return dns;
    }

    private void awaitAnswers(Map<String, List<String>> aRecords) {
        Await.atMost(READY_TIMEOUT)
                .describing(() -> "dnsmasq " + (process.isAlive() ? "running" : "exited with "
                        + process.exitValue()) + "; last lines of " + logFile + ":\n"
                        + String.join("\n", LogFiles.tail(logFile, 20)))
                .until("dnsmasq on " + server() + " answers " + aRecords, () -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("dnsmasq exited with status " + process.exitValue());
                    }
                    for (Map.Entry<String, List<String>> entry : aRecords.entrySet()) {
                        if (!lookup(entry.getKey()).containsAll(entry.getValue())) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as {@code --discovery dns:NAME@server} takes it. */
    public String server() {
        return HOST + ":" + port;
    }

    /** The {@code --discovery} value that makes a node look {@code name} up on this server. */
    public String discovery(String name) {
        return "dns:" + name + "@" + server();
    }

    public Path logFile() {
        return logFile;
    }

    /** The A records this server gives for {@code name}, asked over the wire as JGroups' DNS_PING asks. */
    public List<String> lookup(String name) throws NamingException {
        Hashtable<String, String> environment = new Hashtable<>();
        environment.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
        environment.put(Context.PROVIDER_URL, "dns://" + server());
        environment.put("com.sun.jndi.dns.timeout.initial", "500");
        environment.put("com.sun.jndi.dns.timeout.retries", "1");
        DirContext context = new InitialDirContext(environment);
        try {
            Attributes attributes = context.getAttributes(name, new String[] {"A"});
            Attribute records = attributes.get("A");
            List<String> addresses = new ArrayList<>();
            if (records != null) {
                NamingEnumeration<?> values = records.getAll();
                while (values.hasMore()) {
                    addresses.add(String.valueOf(values.next()));
                }
            }
            return addresses;
        } catch (NameNotFoundException e) {
            return List.of();
        } finally {
            context.close();
        }
    }

    /** Stops dnsmasq (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Processes.untrack(process);
        }
    }
}
