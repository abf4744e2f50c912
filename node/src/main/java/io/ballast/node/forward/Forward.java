package io.ballast.node.forward;

import io.ballast.node.cluster.LoadBoard;
import io.ballast.node.cluster.Peer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One forwarded request: the peers it may go to, the one it is at now, the ones that failed it, and what it counts
 * while it runs (the forward outstanding at its current peer's board entry). It lives on the exchange, from the
 * decision to forward until the exchange completes.
 */
final class Forward {

    private static final AttachmentKey<Forward> KEY = AttachmentKey.create(Forward.class);

    private final List<Peer> peers;
    private final Set<String> failed = new HashSet<>();
    private final long startNanos = System.nanoTime();
    private long connectedNanos;
    private long answeredNanos;
    private Peer current;
    private LoadBoard.Entry counted;
    private int attempts;
    private boolean servedHere;

    private Forward(List<Peer> peers, Peer first) {
        this.peers = peers;
        this.current = first;
    }

    /** Starts a forward of {@code exchange} to {@code first}, with {@code eligible} to fail over to. */
    static Forward start(HttpServerExchange exchange, List<Peer> eligible, Peer first) {
        Forward forward = new Forward(eligible, first);
        exchange.putAttachment(KEY, forward);
        return forward;
    }

    /** The forward of {@code exchange}, or null when it is not being forwarded. */
    static Forward of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    /** The peer of the current attempt. */
    Peer current() {
        return current;
    }

    /** True for the first attempt only: the proxy asks for a target again only after an attempt failed. */
    boolean firstAttempt() {
        return attempts++ == 0;
    }

    /** The current attempt failed before a response: its peer is out of the running for this request. */
    String failCurrent() {
        failed.add(current.name());
        return current.name();
    }

    int failures() {
        return failed.size();
    }

    /** The peers this request may still go to. */
    List<Peer> remaining() {
        List<Peer> left = new ArrayList<>(peers.size());
        for (Peer peer : peers) {
            if (!failed.contains(peer.name())) {
                left.add(peer);
            }
        }
        return left;
    }

    void goTo(Peer next) {
        current = next;
    }

    /** Counts this forward as outstanding at {@code peer}, and no longer at the peer of the previous attempt. */
    void countAt(Peer peer) {
        uncount();
        counted = peer.entry();
        counted.sent();
    }

    void uncount() {
        if (counted != null) {
            counted.finished();
            counted = null;
        }
    }

    /** Every peer failed: this node serves the request after all. */
    void serveHere() {
        uncount();
        servedHere = true;
    }

    boolean servedHere() {
        return servedHere;
    }

    /** A connection to the current attempt's peer is in hand. */
    void connected() {
        connectedNanos = System.nanoTime();
    }

    /** The peer's answer has begun: its head is here. */
    void answered() {
        answeredNanos = System.nanoTime();
    }

    /** Where this forward's time went, as it completes now. */
    ForwardTimes times() {
        long now = System.nanoTime();
        long connected = connectedNanos == 0 ? now : connectedNanos;
        long answered = answeredNanos == 0 ? now : answeredNanos;
        return new ForwardTimes(now - startNanos, connected - startNanos, answered - connected, now - answered);
    }
}
