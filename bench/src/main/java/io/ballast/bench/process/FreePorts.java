package io.ballast.bench.process;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * TCP ports that are free right now, found by binding them, never the same one twice in a run. They come from
 * below Linux's ephemeral range (32768 and up), so that the load generator's own outgoing connections never take a
 * port a server is about to listen on.
 */
public final class FreePorts {

    private static final int LOWEST = 10_000;
    private static final int HIGHEST = 32_000;
    private static final int ATTEMPTS = 500;

    /** A node's cluster transport listens on its port; failure detection on port + 100, trying up to + 103. */
    private static final List<Integer> CLUSTER_OFFSETS = List.of(0, 100, 101, 102, 103);

    private final Set<Integer> handedOut = new HashSet<>();

    /** A port free on {@code host}. */
    public int http(String host) {
        return free(host, List.of(0));
    }

    /** A cluster port free on {@code host}, together with the failure-detection ports above it. */
    public int cluster(String host) {
        return free(host, CLUSTER_OFFSETS);
    }

    private synchronized int free(String host, List<Integer> offsets) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST - 200);
            boolean free = offsets.stream().allMatch(offset ->
                    !handedOut.contains(port + offset) && bindable(host, port + offset));
            if (free) {
                offsets.forEach(offset -> handedOut.add(port + offset));
                return port;
            }
        }
        throw new IllegalStateException("no free port (with offsets " + offsets + ") on " + host + " after "
                + ATTEMPTS + " attempts");
    }

    private static boolean bindable(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
