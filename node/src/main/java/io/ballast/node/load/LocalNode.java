package io.ballast.node.load;

import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;

import java.net.InetAddress;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * This node as it describes itself to its peers and operators: its name, URL and weight, its state ({@code UP} until
 * it drains), whether its application can serve, and its {@link LoadReport}, made from the {@link LoadMeter}.
 */
public final class LocalNode {

    private final String name;
    private final String url;
    private final InetAddress bind;
    private final int weight;
    private final LoadMeter meter;
    private final BooleanSupplier applicationUp;
    private final LongSupplier sessions;
    private volatile MemberState state = MemberState.UP;

    /**
     * @param bind          the address this node serves on ({@code --bind}), which its own connections start from
     * @param applicationUp whether the application answers (an {@code --upstream} may not); always true for an
     *                      application in this process
     * @param sessions      the live sessions whose primary owner is this node
     */
    public LocalNode(String name, String url, InetAddress bind, int weight, LoadMeter meter,
                     BooleanSupplier applicationUp, LongSupplier sessions) {
        this.name = name;
        this.url = url;
        this.bind = bind;
        this.weight = weight;
        this.meter = meter;
        this.applicationUp = applicationUp;
        this.sessions = sessions;
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    public InetAddress bind() {
        return bind;
    }

    public int weight() {
        return weight;
    }

    public LoadMeter meter() {
        return meter;
    }

    public MemberState state() {
        return state;
    }

    /** From now on this node reports itself {@code DRAINING}: peers stop sending it work, and it serves none itself. */
    public void startDraining() {
        state = MemberState.DRAINING;
    }

    public boolean isDraining() {
        return state == MemberState.DRAINING;
    }

    /**
     * Whether this node serves requests itself: false while it drains, or while its upstream does not answer; it
     * then hands what it gets to its peers.
     */
    public boolean canServeHere() {
        return state == MemberState.UP && applicationUp.getAsBoolean();
    }

    /** The live sessions whose primary owner is this node, as last counted. */
    public long sessions() {
        return sessions.getAsLong();
    }

    /** This node's report now, with the next sequence number. */
    public LoadReport report() {
        return meter.report(name, url, state, canServeHere(), sessions.getAsLong());
    }

    /** The report that goes back on the answer to a forwarded request: without that request, which is done. */
    public LoadReport reportForAnswer() {
        return meter.report(name, url, state, canServeHere(), sessions.getAsLong(), 1);
    }
}
