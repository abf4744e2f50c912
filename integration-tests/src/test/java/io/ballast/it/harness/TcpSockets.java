package io.ballast.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets a process holds, as Linux shows them: its open file descriptors ({@code /proc/PID/fd}, readable for
 * processes of the same user) matched by inode against the socket tables of the caller's network namespace
 * ({@code /proc/net/tcp} and {@code tcp6}). So a test on loopback sees which address each connection of a node
 * really comes from, with nothing to install.
 */
public final class TcpSockets {

    private static final String LISTEN = "0A";

    /** One socket: its two ends, and whether it is a listener. */
    public record Socket(InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort,
                         boolean listening) {

        @Override
        public String toString() {
            return localAddress.getHostAddress() + ":" + localPort + (listening ? " (listening)"
                    : " -> " + remoteAddress.getHostAddress() + ":" + remotePort);
        }
    }

    private TcpSockets() {
    }

    /** The TCP sockets process {@code pid} holds now (listening or connected). */
    public static List<Socket> of(long pid) {
        Set<Long> inodes = socketInodes(pid);
        List<Socket> sockets = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String[] row : rows(Path.of(table))) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                if (inodes.contains(Long.parseLong(row[9]))) {
                    String[] local = row[1].split(":");
                    String[] remote = row[2].split(":");
                    sockets.add(new Socket(address(local[0]), Integer.parseInt(local[1], 16), address(remote[0]),
                            Integer.parseInt(remote[1], 16), LISTEN.equals(row[3])));
                }
            }
        }
        return sockets;
    }

    private static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (NoSuchFileException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    inodes.add(Long.parseLong(target.substring("socket:[".length(), target.length() - 1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the file descriptors of process " + pid, e);
        }
        return inodes;
    }

    private static List<String[]> rows(Path table) {
        if (!Files.exists(table)) {
            return List.of(); // no IPv6 in this kernel
        }
        try {
            List<String> lines = Files.readAllLines(table);
            return lines.subList(1, lines.size()).stream().map(line -> line.trim().split("\\s+")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + table, e);
        }
    }

    /**
     * An address as the kernel prints it: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in the host's byte
     * order (little-endian on the machines we run on). An IPv4-mapped IPv6 address comes back as IPv4.
     */
    static InetAddress address(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = (word * 4 + i) * 2;
                bytes[word * 4 + 3 - i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + hex, e);
        }
    }
}
