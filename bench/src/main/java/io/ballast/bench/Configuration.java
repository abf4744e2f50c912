package io.ballast.bench;

/** What serves the load in a row of the report. */
public enum Configuration {

    BALLAST("Ballast (defaults: adaptive)", "Ballast"),
    DNS_ALONE("DNS alone (--balance off)", "DNS alone"),
    NGINX("nginx least_conn + --balance off", "nginx"),
    HAPROXY("HAProxy leastconn + --balance off", "HAProxy"),
    SERVED_LOCALLY("Ballast always/round-robin: served locally", "local"),
    FORWARDED("Ballast always/round-robin: forwarded", "forwarded"),
    FULL_CHAIN("Ballast node, full chain", "Ballast"),
    BARE("bare Undertow", "bare");

    private final String label;
    private final String shortLabel;

    Configuration(String label, String shortLabel) {
        this.label = label;
        this.shortLabel = shortLabel;
    }

    public String label() {
        return label;
    }

    /** The label under its bars in the chart. */
    public String shortLabel() {
        return shortLabel;
    }
}
