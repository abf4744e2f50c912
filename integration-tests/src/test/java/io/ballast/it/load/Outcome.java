package io.ballast.it.load;

/**
 * What became of one request of a load run.
 *
 * @param target       the base URL the request was sent to
 * @param dueNanos     when it was due to be sent ({@link System#nanoTime()})
 * @param latencyNanos from when it was due until its answer arrived (or it failed)
 * @param status       the HTTP status, or 0 when no answer came (refused, reset, timed out)
 * @param servedBy     {@code X-Served-By}, or null
 * @param via          every {@code Via} entry, comma-separated, or null: present when the answer came through a
 *                     forward
 * @param error        why no answer came, or null
 */
public record Outcome(String target, long dueNanos, long latencyNanos, int status, String servedBy, String via,
                      String error) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    public boolean forwarded() {
        return via != null;
    }

    /** How many nodes the request passed through before the one that served it: its {@code Via} entries. */
    public int hops() {
        return via == null ? 0 : via.split(",").length;
    }
}
