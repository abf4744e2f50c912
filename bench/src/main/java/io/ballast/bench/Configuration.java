package io.ballast.bench;

/** What serves the load in a row of the report. */
public enum Configuration {

    BALLAST("Ballast (defaults: adaptive)", "Ballast"),
    DNS_ALONE("DNS alone (--balance off)", "DNS alone"),
    NGINX("nginx least_conn + --balance off", "nginx"),
    HAPROXY("HAProxy leastconn + --balance off", "HAProxy"),
    HOP_DIRECT("client → node B directly", "direct"),
    HOP_NGINX("client → nginx → node B", "nginx hop"),
    HOP_BALLAST("client → node A → node B (a Ballast forward)", "Ballast hop"),
    FORWARDING_BALLAST("node A forwarding every request to node B", "Ballast"),
    FORWARDING_NGINX("nginx proxying every request to node B", "nginx"),
    FULL_CHAIN("Ballast node, full chain", "Ballast"),
    BARE("bare Undertow", "bare"),
    TLS_NODE("Ballast node with --tls-cert", "Ballast TLS"),
    NGINX_TLS("nginx TLS in front of bare Undertow", "nginx TLS");

    private final String label;
    private final String shortLabel;

    Configuration(String label, String shortLabel) {
        this.label = label;
        this.shortLabel = shortLabel;
    }

    /** Whether this configuration needs nginx, and so has no numbers where nginx is not installed. */
    public boolean needsNginx() {
        return this == NGINX || this == HOP_NGINX || this == FORWARDING_NGINX || this == NGINX_TLS;
    }

    public String label() {
        return label;
    }

    /** The label under its bars in the chart. */
    public String shortLabel() {
        return shortLabel;
    }
}
