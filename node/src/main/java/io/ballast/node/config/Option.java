package io.ballast.node.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Every command-line option a node takes. Each is also read from the environment as {@code BALLAST_<NAME>}
 * ({@code --http-port} from {@code BALLAST_HTTP_PORT}); a flag on the command line wins over the environment.
 */
public enum Option {
    NAME("name", "NAME", "this node's name, unique in the cluster", "<hostname>-<http-port>"),
    BIND("bind", "ADDRESS", "address for HTTP and cluster traffic", "first site-local address, else 127.0.0.1"),
    HTTP_PORT("http-port", "PORT", "HTTP port", "8080"),
    CLUSTER("cluster", "NAME", "cluster name; nodes of other clusters never join", "ballast"),
    DISCOVERY("discovery", "SPEC", "multicast | static:host[:port],... | dns:name[@server[:port]]", "multicast"),
    CLUSTER_PORT("cluster-port", "PORT", "cluster transport port (failure detection uses port+100)", "7800"),
    CAPACITY("capacity", "N", "requests served at once; as many more wait, beyond that 503", "64"),
    BALANCE("balance", "MODE", "adaptive (forward when a peer is clearly less loaded) | always | off", "adaptive"),
    STRATEGY("strategy", "NAME",
            "least-loaded | round-robin | random | weighted-round-robin | least-connections", "least-loaded"),
    WEIGHT("weight", "N", "this node's weight for weighted strategies, 1 to 1000", "1"),
    SECRET("secret", "TEXT|file:PATH",
            "cluster secret (16+ characters): encrypts cluster traffic, signs hop tokens, authorizes drain", "none"),
    UPSTREAM("upstream", "URL", "serve by proxying to this local app (http://host:port) instead of the demo app",
            "none"),
    DRAIN_TIMEOUT("drain-timeout", "DURATION",
            "on SIGTERM, how long to wait for requests in flight before leaving (e.g. 30s, 500ms, 2m)", "30s"),
    MAX_BODY("max-body", "SIZE", "largest request body accepted, in bytes or with k, m, g; larger: 413", "10m"),
    RATE_LIMIT("rate-limit", "RATE/UNIT[,burst=N]", "requests each client (IP address) may send to the whole cluster, "
            + "e.g. 50/s or 600/m,burst=100; over it: 429", "none"),
    SESSIONS("sessions", "MODE", "where session data lives: distributed (on --session-owners nodes) | replicated "
            + "(on every node)", "distributed"),
    SESSION_OWNERS("session-owners", "N", "distributed sessions: how many nodes hold each session, 1 to 16", "2"),
    SESSION_TIMEOUT("session-timeout", "DURATION",
            "a session expires this long after the last request that used it, 1s to 30d (e.g. 30m, 8h, 90s)", "30m"),
    SESSION_COOKIE("session-cookie", "NAME", "the name of the session cookie", "JSESSIONID"),
    DATA_DIR("data-dir", "DIR", "keep session data on disk too, under DIR/<name>, so that it outlives a restart of "
            + "every node", "none"),
    REQUEST_TIMEOUT("request-timeout", "DURATION", "an application that has not answered in full by then is cut "
            + "off: 503, or 504 when a peer or the --upstream kept the node waiting; 0 turns it off", "60s"),
    HEADER_TIMEOUT("header-timeout", "DURATION", "a client that has started a request must send all its headers "
            + "within this, else its connection is closed", "10s"),
    IDLE_TIMEOUT("idle-timeout", "DURATION", "a connection with no request in progress is closed after this long",
            "60s"),
    TLS_CERT("tls-cert", "FILE", "PEM certificate chain, the node's own first: the HTTP port then speaks only TLS "
            + "(1.2 and 1.3) and HTTP/2; needs --tls-key; reloaded when it changes", "none"),
    TLS_KEY("tls-key", "FILE", "PEM private key (RSA or EC; PKCS#8, PKCS#1 or SEC1) of the --tls-cert certificate",
            "none"),
    HTTP_REDIRECT_PORT("http-redirect-port", "PORT", "with TLS: plain HTTP on this port answers 308 to the HTTPS URL "
            + "(health checks under /_ballast/health/ answered directly)", "none"),
    WORK_FACTOR("work-factor", "F", "demo app: /work?ms=N holds its slot for F times N ms (a slow node), 0.1 to 100",
            "1");

    private final String flag;
    private final String placeholder;
    private final String description;
    private final String defaultText;

    Option(String flag, String placeholder, String description, String defaultText) {
        this.flag = flag;
        this.placeholder = placeholder;
        this.description = description;
        this.defaultText = defaultText;
    }

    /** The flag as typed, with its dashes: {@code --http-port}. */
    public String flag() {
        return "--" + flag;
    }

    /** The environment variable that also sets it: {@code BALLAST_HTTP_PORT}. */
    public String environmentVariable() {
        return "BALLAST_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String placeholder() {
        return placeholder;
    }

    public String description() {
        return description;
    }

    public String defaultText() {
        return defaultText;
    }

    static Optional<Option> byFlag(String flag) {
        for (Option option : values()) {
            if (option.flag().equals(flag)) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }
}
