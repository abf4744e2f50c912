package io.ballast.node.forward;

/**
 * Where a completed forward's time went, in nanoseconds: {@code connect}, from the decision until a connection to the
 * peer was in hand (a pooled one at once, else a new one); {@code peer}, from then until the peer's answer began
 * (the request on the wire, the peer's work, the answer's head on the wire back); {@code answer}, from then until the
 * answer was passed on to the client in full. {@code total} is their sum, and includes failed attempts.
 */
public record ForwardTimes(long total, long connect, long peer, long answer) {

    /** Takes the times of every forward this node completes (not those it ended up serving itself). */
    public interface Observer {
        void completed(ForwardTimes times);
    }
}
