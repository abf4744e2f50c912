package io.ballast.bench;

import java.util.List;

/** What the bench puts the servers through, in the order the report shows them. */
public enum Scenario {

    EVEN("Even load", List.of(Configuration.BALLAST, Configuration.DNS_ALONE, Configuration.NGINX)),
    SKEW("DNS skew 80/10/10", List.of(Configuration.BALLAST, Configuration.DNS_ALONE, Configuration.NGINX)),
    SLOW("One slow node", List.of(Configuration.BALLAST, Configuration.DNS_ALONE, Configuration.NGINX)),
    KILL("One node killed mid-run", List.of(Configuration.BALLAST, Configuration.DNS_ALONE, Configuration.NGINX)),
    FORWARD("Forwarding overhead", List.of(Configuration.SERVED_LOCALLY, Configuration.FORWARDED)),
    THROUGHPUT("Full-chain /hello throughput", List.of(Configuration.FULL_CHAIN, Configuration.BARE)),
    HTTPS("HTTPS /hello throughput", List.of(Configuration.TLS_NODE, Configuration.NGINX_TLS));

    private final String title;
    private final List<Configuration> configurations;

    Scenario(String title, List<Configuration> configurations) {
        this.title = title;
        this.configurations = configurations;
    }

    public String title() {
        return title;
    }

    /** The rows of this scenario's table, in order. */
    public List<Configuration> configurations() {
        return configurations;
    }
}
