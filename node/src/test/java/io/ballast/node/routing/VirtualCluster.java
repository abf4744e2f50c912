package io.ballast.node.routing;

import io.ballast.node.cluster.LoadBoard;
import io.ballast.node.load.LoadMeter;
import io.ballast.protocol.LoadReport;
import io.ballast.protocol.MemberState;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A three-node cluster in virtual time, for testing the decision without sockets or threads: each node has the real
 * {@link LoadMeter} (on the virtual clock), {@link LoadBoard} and {@link Router} of a Ballast node, and the model
 * plays what lies around them: slots and a queue as {@code MeteringHandler} keeps them, {@code /work}-like requests
 * that hold a slot for a fixed time, client arrivals, load reports every 250 ms (and on sharp changes) that reach
 * the peers 2 ms later, and forwards that cost a 1 ms hop and bring the peer's report back with the answer.
 *
 * <p>Seeded: a run is the same every time.
 */
final class VirtualCluster {

    static final int CAPACITY = 8;
    static final double HOP_MS = 1.0;
    static final double REPORT_MS = 250;
    static final double DELIVERY_MS = 2;
    static final double WARMUP_MS = 5_000;

    /** How clients' requests arrive. */
    enum Arrivals {
        /** A Poisson process: independent arrivals, in bursts as chance makes them. */
        POISSON,
        /** The bench's open loop: request i due at i / rate, each sent to a node drawn by the split. */
        PACED
    }

    /**
     * @param split     the share of clients' requests that reach each node (DNS)
     * @param serviceMs how long a request holds a slot at each node
     * @param rateRps   clients' requests per second, to the whole cluster
     */
    record Setup(double[] split, double[] serviceMs, double rateRps, Arrivals arrivals, long seed) {
    }

    /**
     * What the clients saw, from the end of the warm-up on.
     *
     * @param sent      requests sent
     * @param forwarded the share forwarded to a peer
     * @param refused   requests answered 503 (a full queue)
     * @param shares    the share of the answered requests each node served
     * @param p99Ms     the 99th percentile of the answered requests' latencies
     */
    record Outcome(long sent, double forwarded, long refused, double[] shares, double p99Ms) {

        @Override
        public String toString() {
            return String.format("sent %d, forwarded %.1f%%, refused %d, served %s, p99 %.1f ms", sent,
                    100 * forwarded, refused, Arrays.toString(Arrays.stream(shares)
                            .mapToObj(s -> String.format("%.1f%%", 100 * s)).toArray()), p99Ms);
        }
    }

    private final class Node {
        final int index;
        final String name;
        final long serviceNanos;
        final LoadMeter meter;
        final LoadBoard board = new LoadBoard();
        final Router router;
        final ArrayDeque<Request> queue = new ArrayDeque<>();
        int busy;
        long served;

        Node(int index, double serviceMs, long seed) {
            this.index = index;
            this.name = "node" + (index + 1);
            this.serviceNanos = nanos(serviceMs);
            this.meter = new LoadMeter(CAPACITY, 1, () -> now);
            this.router = new Router(Balance.ADAPTIVE, new LeastLoaded(new SplittableRandom(seed)));
            meter.onSharpChange(() -> at(now, () -> publish(this)));
        }

        LoadReport report(int answering) {
            return meter.report(name, "http://127.0.0.1:" + (8081 + index), MemberState.UP, true, 0, answering);
        }
    }

    /** One client request: when it was sent, and where it went. */
    private static final class Request {
        final long sentNanos;
        final boolean measured;
        Node origin;
        LoadBoard.Entry counted;
        long arrivedNanos;
        long slotNanos;

        Request(long sentNanos, boolean measured) {
            this.sentNanos = sentNanos;
            this.measured = measured;
        }
    }

    private record Event(long at, long order, Runnable action) {
    }

    private final Setup setup;
    private final List<Node> nodes = new ArrayList<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private final SplittableRandom random;
    private final List<Long> latencies = new ArrayList<>();
    private long now;
    private long order;
    private long sent;
    private long forwarded;
    private long refused;

    VirtualCluster(Setup setup) {
        this.setup = setup;
        this.random = new SplittableRandom(setup.seed());
        for (int i = 0; i < setup.split().length; i++) {
            nodes.add(new Node(i, setup.serviceMs()[i], setup.seed() * 31 + i));
        }
    }

    /** Runs until {@code requests} have been sent after the warm-up, and every one has been answered. */
    Outcome run(int requests) {
        for (Node node : nodes) {
            scheduleReports(node, nanos(random.nextDouble() * REPORT_MS));
        }
        long warmup = nanos(WARMUP_MS);
        long interval = nanos(1000.0 / setup.rateRps());
        long[] arrivals = {0};
        Runnable[] next = new Runnable[1];
        next[0] = () -> {
            boolean measured = now >= warmup;
            if (measured && ++sent > requests) {
                return;
            }
            arrive(pickNode(), new Request(now, measured));
            arrivals[0]++;
            long gap = setup.arrivals() == Arrivals.POISSON
                    ? Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * interval))
                    : arrivals[0] * interval - now;
            at(now + gap, next[0]);
        };
        at(0, next[0]);
        while (!events.isEmpty() && !(sent > requests && inFlight() == 0)) {
            Event event = events.poll();
            now = event.at;
            event.action.run();
        }
        sent = Math.min(sent, requests);
        long total = nodes.stream().mapToLong(n -> n.served).sum();
        double[] shares = nodes.stream().mapToDouble(n -> (double) n.served / Math.max(1, total)).toArray();
        latencies.sort(null);
        double p99 = latencies.isEmpty() ? Double.NaN
                : latencies.get((int) Math.ceil(0.99 * latencies.size()) - 1) / 1e6;
        return new Outcome(sent, (double) forwarded / Math.max(1, sent), refused, shares, p99);
    }

    private int inFlight() {
        return nodes.stream().mapToInt(n -> n.meter.inFlight()).sum();
    }

    private Node pickNode() {
        double x = random.nextDouble();
        double sum = 0;
        for (int i = 0; i < nodes.size(); i++) {
            sum += setup.split()[i];
            if (x < sum) {
                return nodes.get(i);
            }
        }
        return nodes.get(nodes.size() - 1);
    }

    /** A client's request reaches {@code node}, which decides as RoutingHandler does. */
    private void arrive(Node node, Request request) {
        request.origin = node;
        node.meter.clientRequest();
        List<Candidate> peers = new ArrayList<>();
        for (Node peer : nodes) {
            if (peer != node) {
                node.board.get(peer.name).ifPresent(entry ->
                        peers.add(Candidate.peer(entry.report(), entry.estimatedInFlight())));
            }
        }
        Candidate pick = node.router.decide(node.meter.candidate(node.name, peers), peers);
        if (pick == null) {
            admit(node, request);
            return;
        }
        Node target = nodes.stream().filter(n -> n.name.equals(pick.name())).findFirst().orElseThrow();
        Optional<LoadBoard.Entry> entry = node.board.get(target.name);
        request.counted = entry.orElseThrow();
        request.counted.sent();
        if (request.measured) {
            forwarded++;
        }
        at(now + nanos(HOP_MS / 2), () -> admit(target, request));
    }

    /** {@code MeteringHandler}: a slot if one is free, else the queue, else 503. */
    private void admit(Node node, Request request) {
        request.arrivedNanos = now;
        node.meter.started();
        if (node.busy < CAPACITY) {
            node.busy++;
            startService(node, request);
        } else if (node.queue.size() < CAPACITY) {
            node.queue.add(request);
        } else {
            node.meter.answering();
            LoadReport report = request.counted != null ? node.report(1) : null;
            node.meter.finished(0, -1, true);
            if (request.measured) {
                refused++;
            }
            answer(request, report, false);
        }
    }

    private void startService(Node node, Request request) {
        request.slotNanos = now;
        at(now + node.serviceNanos, () -> finish(node, request));
    }

    private void finish(Node node, Request request) {
        node.meter.answering();
        LoadReport report = request.counted != null ? node.report(1) : null;
        node.meter.finished(now - request.arrivedNanos, now - request.slotNanos, true);
        if (request.measured) {
            node.served++;
        }
        Request next = node.queue.poll();
        if (next != null) {
            startService(node, next);
        } else {
            node.busy--;
        }
        answer(request, report, true);
    }

    /** The answer reaches the client; a forward's first reaches its sender, which learns the peer's report. */
    private void answer(Request request, LoadReport report, boolean ok) {
        if (request.counted == null) {
            record(request, ok);
            return;
        }
        at(now + nanos(HOP_MS / 2), () -> {
            request.origin.board.update(report);
            request.counted.finished();
            record(request, ok);
        });
    }

    private void record(Request request, boolean ok) {
        if (ok && request.measured) {
            latencies.add(now - request.sentNanos);
        }
    }

    private void scheduleReports(Node node, long first) {
        at(first, () -> {
            publish(node);
            scheduleReports(node, now + nanos(REPORT_MS));
        });
    }

    private void publish(Node node) {
        LoadReport report = node.report(0);
        for (Node peer : nodes) {
            if (peer != node) {
                at(now + nanos(DELIVERY_MS), () -> peer.board.update(report));
            }
        }
    }

    private void at(long time, Runnable action) {
        events.add(new Event(time, order++, action));
    }

    private static long nanos(double ms) {
        return Math.round(ms * 1e6);
    }
}
