package io.ballast.protocol;

import java.util.Optional;

/**
 * The load a node sends back on its answer to a forwarded request ({@value BallastHeaders#LOAD}): the few fields a
 * sender decides on, as one line of text, so that neither end writes or parses JSON per forward. The sender lays
 * them over the full report it holds for that node ({@link #applyTo}); served and forwarded counts, latency and the
 * rest wait for the node's next report through the cluster.
 *
 * <p>Wire form: {@code v1 <incarnation> <sequence> <in flight> <capacity> <weight> <state> <ready 1|0>
 * <service ms> <demand> <hot 1|0> <name>}, the name last, so that it may hold spaces.
 */
public record LoadHeader(String name, long incarnation, long sequence, int inFlight, int capacity, int weight,
                         MemberState state, boolean ready, double serviceMs, double demand, boolean hot) {

    private static final String VERSION = "v1";
    private static final int FIELDS = 12;

    /** The header for {@code report}. */
    public static String write(LoadReport report) {
        return VERSION + ' ' + report.incarnation() + ' ' + report.sequence() + ' ' + report.inFlight() + ' '
                + report.capacity() + ' ' + report.weight() + ' ' + report.state().name() + ' '
                + (report.ready() ? '1' : '0') + ' ' + report.serviceMs() + ' ' + report.demand() + ' '
                + (report.hot() ? '1' : '0') + ' ' + report.name();
    }

    /** Reads a header; empty for anything that is not one (another version, a field missing or out of range). */
    public static Optional<LoadHeader> read(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String[] f = header.split(" ", FIELDS);
        if (f.length != FIELDS || !f[0].equals(VERSION) || f[11].isEmpty() || !isFlag(f[7]) || !isFlag(f[10])) {
            return Optional.empty();
        }
        try {
            int inFlight = Integer.parseInt(f[3]);
            int capacity = Integer.parseInt(f[4]);
            int weight = Integer.parseInt(f[5]);
            double serviceMs = Double.parseDouble(f[8]);
            double demand = Double.parseDouble(f[9]);
            if (inFlight < 0 || capacity <= 0 || weight <= 0 || !(serviceMs >= 0) || !(demand >= 0)
                    || Double.isInfinite(serviceMs) || Double.isInfinite(demand)) {
                return Optional.empty();
            }
            return Optional.of(new LoadHeader(f[11], Long.parseLong(f[1]), Long.parseLong(f[2]), inFlight, capacity,
                    weight, MemberState.valueOf(f[6]), f[7].equals("1"), serviceMs, demand, f[10].equals("1")));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code full}, the latest report of the same node, with this header's fields in place of its own; empty when
     * {@code full} is of another node or incarnation (the header alone is not a report).
     */
    public Optional<LoadReport> applyTo(LoadReport full) {
        if (!full.name().equals(name) || full.incarnation() != incarnation) {
            return Optional.empty();
        }
        return Optional.of(new LoadReport(name, full.url(), state, inFlight, capacity, full.served(), full.forwarded(),
                full.failedOver(), full.latencyMs(), full.cpu(), weight, incarnation, sequence, ready,
                full.sessions(), full.forwardedTo(), serviceMs, demand, hot));
    }

    private static boolean isFlag(String field) {
        return field.equals("1") || field.equals("0");
    }
}
