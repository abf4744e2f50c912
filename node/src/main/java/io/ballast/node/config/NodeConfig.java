package io.ballast.node.config;

import io.ballast.node.limit.RateLimit;
import io.ballast.node.routing.Balance;
import io.ballast.node.routing.StrategyName;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A node's settings, checked and sealed: once built, every value is known to be usable.
 *
 * <p>Build one from the command line with {@link ConfigParser}, or in code with {@link #builder()}.
 */
public record NodeConfig(String name, InetAddress bind, int httpPort, String cluster, Discovery discovery,
                         int clusterPort, int capacity, Balance balance, StrategyName strategy, int weight,
                         Optional<String> secret, Optional<URI> upstream, long maxBody, Duration drainTimeout,
                         double workFactor, SessionMode sessions, int sessionOwners, Duration sessionTimeout,
                         String sessionCookie, Optional<Path> dataDir, Optional<RateLimit> rateLimit,
                         Duration requestTimeout, Duration headerTimeout, Duration idleTimeout,
                         Optional<TlsFiles> tls, OptionalInt httpRedirectPort) {

    public NodeConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(sessions, "sessions");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        Objects.requireNonNull(sessionCookie, "sessionCookie");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(httpRedirectPort, "httpRedirectPort");
    }

    /**
     * The PEM files of {@code --tls-cert} and {@code --tls-key}, checked when the configuration was built: readable,
     * well-formed, and a key that belongs to the certificate.
     */
    public record TlsFiles(Path cert, Path key) {
        public TlsFiles {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }
    }

    @Override
    public String toString() {
        return "NodeConfig[name=" + name + ", url=" + url() + ", cluster=" + cluster + ", discovery=" + discovery
                + ", clusterPort=" + clusterPort + ", capacity=" + capacity + ", balance=" + balance.flagValue()
                + ", strategy=" + strategy.flagValue() + ", weight=" + weight + ", secret="
                + (secret.isPresent() ? "(set)" : "(none)") + ", upstream=" + upstream.map(URI::toString).orElse("none")
                + ", maxBody=" + maxBody + ", drainTimeout=" + drainTimeout + ", workFactor=" + workFactor
                + ", sessions=" + sessions.flagValue() + ", sessionOwners=" + sessionOwners + ", sessionTimeout="
                + sessionTimeout + ", sessionCookie=" + sessionCookie + ", dataDir="
                + dataDir.map(Path::toString).orElse("none") + ", rateLimit="
                + rateLimit.map(RateLimit::toString).orElse("none") + ", requestTimeout=" + requestTimeout
                + ", headerTimeout=" + headerTimeout + ", idleTimeout=" + idleTimeout + ", tls="
                + tls.map(files -> files.cert() + " " + files.key()).orElse("none") + ", httpRedirectPort="
                + (httpRedirectPort.isPresent() ? Integer.toString(httpRedirectPort.getAsInt()) : "none") + "]";
    }

    /**
     * The base URL peers and operators reach this node at, e.g. {@code http://10.0.0.5:8080}, or
     * {@code https://10.0.0.5:8443} with TLS.
     */
    public String url() {
        return (tls.isPresent() ? "https://" : "http://") + bind.getHostAddress() + ":" + httpPort;
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
        private final EnumMap<Option, String> values = new EnumMap<>(Option.class);

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

        public Builder balance(String mode) {
            return set(Option.BALANCE, mode);
        }

        public Builder strategy(String name) {
            return set(Option.STRATEGY, name);
        }

        public Builder weight(int weight) {
            return set(Option.WEIGHT, Integer.toString(weight));
        }

        public Builder secret(String secret) {
            return set(Option.SECRET, secret);
        }

        public Builder upstream(String url) {
            return set(Option.UPSTREAM, url);
        }

        public Builder maxBody(long bytes) {
            return set(Option.MAX_BODY, Long.toString(bytes));
        }

        public Builder drainTimeout(Duration timeout) {
            return set(Option.DRAIN_TIMEOUT, timeout.toMillis() + "ms");
        }

        public Builder workFactor(double factor) {
            return set(Option.WORK_FACTOR, Double.toString(factor));
        }

        public Builder sessions(String mode) {
            return set(Option.SESSIONS, mode);
        }

        public Builder sessionOwners(int owners) {
            return set(Option.SESSION_OWNERS, Integer.toString(owners));
        }

        /** The idle timeout of sessions, in whole seconds. */
        public Builder sessionTimeout(Duration timeout) {
            return set(Option.SESSION_TIMEOUT, timeout.toSeconds() + "s");
        }

        public Builder sessionCookie(String name) {
            return set(Option.SESSION_COOKIE, name);
        }

        public Builder dataDir(Path dir) {
            return set(Option.DATA_DIR, dir.toString());
        }

        /** A cluster-wide limit per client, written like {@code --rate-limit}: {@code 50/s}, {@code 600/m,burst=100}. */
        public Builder rateLimit(String spec) {
            return set(Option.RATE_LIMIT, spec);
        }

        /** How long the application may take to answer in full; {@link Duration#ZERO} for no limit. */
        public Builder requestTimeout(Duration timeout) {
            return set(Option.REQUEST_TIMEOUT, timeout.toMillis() + "ms");
        }

        /** How long a client may take to send its request line and headers, once it has started. */
        public Builder headerTimeout(Duration timeout) {
            return set(Option.HEADER_TIMEOUT, timeout.toMillis() + "ms");
        }

        /** How long a connection with no request in progress is kept open. */
        public Builder idleTimeout(Duration timeout) {
            return set(Option.IDLE_TIMEOUT, timeout.toMillis() + "ms");
        }

        /** The node's certificate chain and private key, as PEM files: the HTTP port then speaks TLS. */
        public Builder tls(Path certFile, Path keyFile) {
            set(Option.TLS_CERT, certFile.toString());
            return set(Option.TLS_KEY, keyFile.toString());
        }

        /** With {@link #tls}: a plain HTTP port that redirects to the HTTPS one. */
        public Builder httpRedirectPort(int port) {
            return set(Option.HTTP_REDIRECT_PORT, Integer.toString(port));
        }

        /**
         * @throws ConfigException naming the first option whose value is unusable
         */
        public NodeConfig build() {
            return ConfigParser.validate(values);
        }
    }
}
