package io.ballast.bench;

import java.util.List;

/** What the bench puts the servers through, in the order the report shows them. */
public enum Scenario {

    EVEN("Even load", balancing()),
    SKEW("DNS skew 80/10/10 at 70%", balancing()),
    SKEW30("DNS skew 80/10/10 at 30%", balancing()),
    SLOW("One slow node", balancing()),
    KILL("One node killed mid-run", balancing()),
    FORWARD("Forwarding overhead", List.of(Configuration.SERVED_LOCALLY, Configuration.FORWARDED)),
    THROUGHPUT("Full-chain /hello throughput", List.of(Configuration.FULL_CHAIN, Configuration.BARE));

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

    /** The rows of this scenario's table, in order. */
    public List<Configuration> configurations() {
        return configurations;
    }
}
