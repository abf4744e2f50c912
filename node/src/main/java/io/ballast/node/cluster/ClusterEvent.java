package io.ballast.node.cluster;

import java.time.Instant;

/**
 * Something that happened to the cluster, as this node saw it.
 *
 * @param type   what happened
 * @param member the member it happened to (for {@link Type#MERGED}, this node)
 * @param detail a line for people, e.g. the new view
 * @param at     when this node saw it
 */
public record ClusterEvent(Type type, String member, String detail, Instant at) {

    public enum Type {
        JOINED, LEFT, SUSPECTED, DRAINING, MERGED, OVERLOADED;

        /** The name used in logs and in the event stream: {@code member-joined}, {@code node-overloaded}, … */
        public String wireName() {
            return switch (this) {
                case JOINED -> "member-joined";
                case LEFT -> "member-left";
                case SUSPECTED -> "member-suspected";
                case DRAINING -> "member-draining";
                case MERGED -> "partition-merged";
                case OVERLOADED -> "node-overloaded";
            };
        }
    }
}
