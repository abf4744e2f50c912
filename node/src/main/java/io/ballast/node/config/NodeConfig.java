package io.ballast.node.config;

import java.net.InetAddress;
import java.util.Objects;

/**
 * A node's settings, checked and sealed: once built, every value is known to be usable.
 *
 * <p>Build one from the command line with {@link ConfigParser}, or in code with {@link #builder()}.
 */
public record NodeConfig(String name, InetAddress bind, int httpPort, String cluster, Discovery discovery,
                         int clusterPort, int capacity) {

    public NodeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(discovery, "discovery");
    }

    /** The base URL peers and operators reach this node at, e.g. {@code http://10.0.0.5:8080}. */
    public String url() {
        return "http://" + bind.getHostAddress() + ":" + httpPort;
    }

    /** How many requests may wait for a slot once all {@link #capacity()} slots are taken. */
    public int queueSize() {
        return capacity;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sets options by their command-line names and values, then checks them all at once in {@link #build()}.
     */
    public static final class Builder {
        private final java.util.EnumMap<Option, String> values = new java.util.EnumMap<>(Option.class);

        private Builder() {
        }

        public Builder set(Option option, String value) {
            values.put(option, Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder name(String name) {
            return set(Option.NAME, name);
        }

        public Builder bind(String address) {
            return set(Option.BIND, address);
        }

        public Builder httpPort(int port) {
            return set(Option.HTTP_PORT, Integer.toString(port));
        }

        public Builder cluster(String cluster) {
            return set(Option.CLUSTER, cluster);
        }

        public Builder discovery(String spec) {
            return set(Option.DISCOVERY, spec);
        }

        public Builder clusterPort(int port) {
            return set(Option.CLUSTER_PORT, Integer.toString(port));
        }

        public Builder capacity(int capacity) {
            return set(Option.CAPACITY, Integer.toString(capacity));
        }

        /**
         * @throws ConfigException naming the first option whose value is unusable
         */
        public NodeConfig build() {
            return ConfigParser.validate(values);
        }
    }
}
