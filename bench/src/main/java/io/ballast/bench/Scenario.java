package io.ballast.bench;

import java.util.List;

/** What the bench puts the servers through, in the order the report shows them. */
public enum Scenario {

    EVEN("Even load", balancing()),
    SKEW("DNS skew 80/10/10 at 70%", balancing()),
    SKEW30("DNS skew 80/10/10 at 30%", balancing()),
    SLOW("One slow node", balancing()),
    KILL("One node killed mid-run", balancing()),
    HOP("One hop", List.of(Configuration.HOP_DIRECT, Configuration.HOP_NGINX, Configuration.HOP_BALLAST)),
    FORWARDING("Forwarding throughput", List.of(Configuration.FORWARDING_BALLAST, Configuration.FORWARDING_NGINX)),
    THROUGHPUT("Full-chain /hello throughput", List.of(Configuration.FULL_CHAIN, Configuration.BARE)),
    HTTPS("HTTPS /hello throughput", List.of(Configuration.TLS_NODE, Configuration.NGINX_TLS)),
    /** Clusters of several sizes, each at rest and under even load: a table of its own ({@link ScaleRow}). */
    SCALE("Cluster size", List.of());

    private final String title;
    private final List<Configuration> configurations;

    Scenario(String title, List<Configuration> configurations) {
        this.title = title;
        this.configurations = configurations;
    }

    /** The rows of a balancing scenario: self-balancing against DNS alone and the two external balancers. */
    private static List<Configuration> balancing() {
        return List.of(Configuration.BALLAST, Configuration.DNS_ALONE, Configuration.NGINX, Configuration.HAPROXY);
    }

    public String title() {
        return title;
    }

    /** The rows of this scenario's latency table, in order; none for {@link #SCALE}. */
    public List<Configuration> configurations() {
        return configurations;
    }
}
