package io.ballast.protocol;

/**
 * One member of the cluster as a node sees it: one entry of {@code members[]} in {@code /_ballast/cluster}.
 *
 * @param reportAgeMs how long ago this node received the member's latest load report, in milliseconds
 * @param sessions    the live sessions whose data the member holds as primary owner, as it last reported
 */
public record MemberView(String name, String url, MemberState state, int inFlight, int capacity, double load,
                         long served, long forwarded, long reportAgeMs, long sessions) {
}
