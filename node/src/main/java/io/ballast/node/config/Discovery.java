package io.ballast.node.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a node finds its peers: {@code multicast}, {@code static:host[:port],…} or {@code dns:name[@server[:port]]}.
 */
public sealed interface Discovery {

    /** UDP multicast on the local network: nodes need to share a multicast-capable network. */
    record Multicast() implements Discovery {
        @Override
        public String toString() {
            return "multicast";
        }
    }

    /**
     * A fixed list of peers reached over TCP; a member without a port listens on the node's own cluster port.
     */
    record Static(List<HostPort> members) implements Discovery {
        public Static {
            members = List.copyOf(members);
        }

        @Override
        public String toString() {
            return "static:" + String.join(",", members.stream().map(HostPort::toString).toList());
        }
    }

    /**
     * Peers found by looking up the A records of {@code name}; each listens on the node's own cluster port.
     *
     * @param server the DNS server to ask as {@code host[:port]}, or null for the system's resolver
     */
    record Dns(String name, String server) implements Discovery {
        @Override
        public String toString() {
            return "dns:" + name + (server == null ? "" : "@" + server);
        }
    }

    /** A host and an optional port (0 when absent). */
    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return port == 0 ? host : host + ":" + port;
        }
    }

    String EXPECTED = "multicast, static:host[:port],... or dns:name[@server[:port]]";

    static Discovery parse(String option, String spec) {
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.equals("multicast")) {
            return new Multicast();
        }
        if (lower.startsWith("static:")) {
            String list = spec.substring("static:".length());
            List<HostPort> members = new ArrayList<>();
            for (String item : list.split(",", -1)) {
                members.add(hostPort(option, spec, item.trim()));
            }
            return new Static(members);
        }
        if (lower.startsWith("dns:")) {
            String rest = spec.substring("dns:".length());
            int at = rest.indexOf('@');
            String name = at < 0 ? rest : rest.substring(0, at);
            String server = at < 0 ? null : rest.substring(at + 1);
            if (!isHostName(name)) {
                throw new ConfigException(option, spec, "a DNS name after dns:, as in dns:ballast.example.com");
            }
            if (server != null) {
                if (server.isEmpty()) {
                    throw new ConfigException(option, spec, "a DNS server after '@', as in dns:" + name
                            + "@10.0.0.2:53");
                }
                hostPort(option, spec, server);
            }
            return new Dns(name, server);
        }
        throw new ConfigException(option, spec, EXPECTED);
    }

    private static HostPort hostPort(String option, String spec, String item) {
        if (item.isEmpty()) {
            throw new ConfigException(option, spec, "host[:port] entries separated by commas, none empty");
        }
        int colon = item.lastIndexOf(':');
        String host = colon < 0 ? item : item.substring(0, colon);
        int port = 0;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(item.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new ConfigException(option, spec, "a port from 1 to 65535 after '" + host + ":'");
            }
        }
        if (!isHostName(host)) {
            throw new ConfigException(option, spec, "a host name or IPv4 address, not '" + host + "'");
        }
        return new HostPort(host, port);
    }

    private static boolean isHostName(String s) {
        return !s.isEmpty() && s.length() <= 253 && s.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    }
}
