package io.ballast.protocol;

import java.util.Map;

/**
 * One member of the cluster as a node sees it: one entry of {@code members[]} in {@code /_ballast/cluster}.
 *
 * @param reportAgeMs how long ago this node received the member's latest load report, in milliseconds
 * @param sessions    the live sessions whose data the member holds as primary owner, as it last reported
 * @param latencyMs   the member's moving average of the time to serve a request there, in milliseconds
 * @param forwardedTo the requests the member has forwarded to each peer since it started, by peer name
 */
public record MemberView(String name, String url, MemberState state, int inFlight, int capacity, double load,
                         long served, long forwarded, long reportAgeMs, long sessions, double latencyMs,
                         Map<String, Long> forwardedTo) {

    public MemberView {
        forwardedTo = forwardedTo == null ? Map.of() : Map.copyOf(forwardedTo);
    }
}
