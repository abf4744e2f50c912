package io.ballast.it.harness;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out ports that are free right now, found by binding them, and never the same one twice.
 *
 * <p>Ports come from {@value #LOWEST}–{@value #HIGHEST}, below Linux's ephemeral range (32768 and up), so that the
 * outgoing connections of the nodes themselves never take a port a node is about to listen on.
 */
public final class FreePorts {

    static final int LOWEST = 10_000;
    static final int HIGHEST = 32_000;
    private static final int ATTEMPTS = 500;

    /** Failure detection ({@code FD_SOCK2}) listens at cluster port + 100, trying up to 3 more ports. */
    public static final List<Integer> CLUSTER_PORT_OFFSETS = List.of(0, 100, 101, 102, 103);

    private final Set<Integer> handedOut = new HashSet<>();

    /** A TCP port free on {@code host}. */
    public int tcp(String host) {
        return tcp(List.of(host), List.of(0));
    }

    /** A cluster port free on every one of {@code hosts}, together with its failure-detection ports. */
    public int cluster(Collection<String> hosts) {
        return tcp(hosts, CLUSTER_PORT_OFFSETS);
    }

    /** A port {@code p} such that {@code p + offset} is a free TCP port on every host, for every offset. */
    public synchronized int tcp(Collection<String> hosts, Collection<Integer> offsets) {
        int highestOffset = offsets.stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST - highestOffset);
            if (offsets.stream().anyMatch(offset -> handedOut.contains(port + offset))) {
                continue;
            }
            boolean free = offsets.stream().allMatch(offset ->
                    hosts.stream().allMatch(host -> tcpFree(host, port + offset)));
            if (free) {
                offsets.forEach(offset -> handedOut.add(port + offset));
                return port;
            }
        }
        throw new IllegalStateException("no free port with offsets " + offsets + " on " + hosts + " after "
                + ATTEMPTS + " attempts");
    }

    /** A port free for both UDP and TCP on {@code host}, as a DNS server needs. */
    public synchronized int udpAndTcp(String host) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST);
            if (!handedOut.contains(port) && tcpFree(host, port) && udpFree(host, port)) {
                handedOut.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no port free for UDP and TCP on " + host);
    }

    /** Whether a TCP listener could bind {@code host:port} now (without SO_REUSEADDR, so as strictly as can be). */
    public static boolean tcpFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean udpFree(String host, int port) {
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
