package io.ballast.node.admin;

import io.ballast.node.cluster.Cluster;
import io.ballast.node.forward.ForwardTimes;
import io.ballast.node.limit.ClientLimits;
import io.ballast.node.load.LoadMeter;
import io.ballast.node.load.LocalNode;
import io.ballast.protocol.MemberView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node's metrics, in a Micrometer registry scraped in Prometheus' text format at {@code /_ballast/metrics}.
 * Every name starts with {@code ballast_}; peer gauges are labelled {@code peer}.
 */
public final class NodeMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer forwardLatency;
    private final Timer forwardConnect;
    private final Timer forwardPeer;
    private final Timer forwardAnswer;
    private final MultiGauge peerLoad;
    private final MultiGauge peerInFlight;
    private final MultiGauge peerSessions;
    private final LocalNode self;
    private final Cluster cluster;

    public NodeMetrics(LocalNode self, Cluster cluster) {
        this.self = self;
        this.cluster = cluster;
        LoadMeter meter = self.meter();
        registry.config().commonTags("node", self.name());
        FunctionCounter.builder("ballast.requests.served", meter, LoadMeter::served)
                .description("Requests served by this node, its own and those forwarded to it").register(registry);
        FunctionCounter.builder("ballast.requests.forwarded", meter, LoadMeter::forwardedCount)
                .description("Requests this node forwarded to a peer").register(registry);
        FunctionCounter.builder("ballast.forwards.failed.over", meter, LoadMeter::failedOverCount)
                .description("Forward attempts that failed before a response and went to another candidate or here")
                .register(registry);
        Gauge.builder("ballast.requests.in.flight", meter, LoadMeter::inFlight)
                .description("Requests being served here now, running or waiting for a slot").register(registry);
        Gauge.builder("ballast.capacity", meter, LoadMeter::capacity)
                .description("Requests this node serves at once").register(registry);
        Gauge.builder("ballast.load", meter, LoadMeter::load)
                .description("In-flight requests per slot of capacity").register(registry);
        Gauge.builder("ballast.service.seconds", meter, m -> m.serviceMs() / 1000.0)
                .description("How long a request holds a slot here, its queue wait left out (a moving average)")
                .register(registry);
        Gauge.builder("ballast.demand", meter, LoadMeter::demandPerSlot)
                .description("This node's own clients' offered load per slot (their rate x service time / capacity)")
                .register(registry);
        Gauge.builder("ballast.hot", meter, m -> m.hot() ? 1 : 0)
                .description("1 while this node is overloaded by its own clients, else 0").register(registry);
        Gauge.builder("ballast.cluster.members", this, metrics -> metrics.members().size())
                .description("Members in this node's view of the cluster").register(registry);
        Gauge.builder("ballast.sessions", self, LocalNode::sessions)
                .description("Live sessions whose data this node holds as primary owner (counted every second)")
                .register(registry);
        // the cluster port's traffic, from the JGroups transport's counts (0 until the node has joined)
        FunctionCounter.builder("ballast.cluster.messages.sent", cluster, c -> c.transportStats().messagesSent())
                .description("Messages this node sent on the cluster port (one to all members counts once)")
                .register(registry);
        FunctionCounter.builder("ballast.cluster.messages.received", cluster,
                        c -> c.transportStats().messagesReceived())
                .description("Messages this node received on the cluster port, each copy (its own to all included)")
                .register(registry);
        FunctionCounter.builder("ballast.cluster.bytes.sent", cluster, c -> c.transportStats().bytesSent())
                .description("Bytes of the messages this node sent on the cluster port").register(registry);
        FunctionCounter.builder("ballast.cluster.bytes.received", cluster, c -> c.transportStats().bytesReceived())
                .description("Bytes of the messages this node received on the cluster port").register(registry);
        this.forwardLatency = Timer.builder("ballast.forward.latency")
                .description("Time from forwarding a request to a peer until its answer has been sent on")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
        this.forwardConnect = forwardPhase("connect", "Part of a forward until a connection to the peer was in hand");
        this.forwardPeer = forwardPhase("peer", "Part of a forward from the connection until the peer's answer began: "
                + "the request on the wire, the peer's work, the answer's head on the wire");
        this.forwardAnswer = forwardPhase("answer", "Part of a forward from the peer's answer's head until it was "
                + "passed on to the client in full");
        this.peerLoad = MultiGauge.builder("ballast.peer.load")
                .description("Each member's load as last reported to this node").register(registry);
        this.peerInFlight = MultiGauge.builder("ballast.peer.in.flight")
                .description("Each member's in-flight requests as last reported to this node").register(registry);
        this.peerSessions = MultiGauge.builder("ballast.peer.sessions")
                .description("Each member's sessions held as primary owner, as last reported to this node")
                .register(registry);
    }

    /** Adds the rate limit's counts: requests refused with 429, and clients with a bucket here. */
    public void rateLimits(ClientLimits limits) {
        FunctionCounter.builder("ballast.rate.limited", limits, ClientLimits::rejected)
                .description("Client requests this node refused with 429 under --rate-limit").register(registry);
        Gauge.builder("ballast.rate.limit.clients", limits, ClientLimits::tracked)
                .description("Clients this node holds a rate-limit bucket for now").register(registry);
    }

    /** Records where a completed forward's time went. */
    public void forwardCompleted(ForwardTimes times) {
        forwardLatency.record(times.total(), TimeUnit.NANOSECONDS);
        forwardConnect.record(times.connect(), TimeUnit.NANOSECONDS);
        forwardPeer.record(times.peer(), TimeUnit.NANOSECONDS);
        forwardAnswer.record(times.answer(), TimeUnit.NANOSECONDS);
    }

    private Timer forwardPhase(String phase, String description) {
        return Timer.builder("ballast.forward.phase").tag("phase", phase).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    /** The metrics in Prometheus' text exposition format. */
    public String scrape() {
        List<MemberView> members = members();
        peerLoad.register(members.stream()
                .map(m -> MultiGauge.Row.of(Tags.of("peer", m.name()), m.load())).toList(), true);
        peerInFlight.register(members.stream()
                .map(m -> MultiGauge.Row.of(Tags.of("peer", m.name()), m.inFlight())).toList(), true);
        peerSessions.register(members.stream()
                .map(m -> MultiGauge.Row.of(Tags.of("peer", m.name()), m.sessions())).toList(), true);
        return registry.scrape();
    }

    private List<MemberView> members() {
        return cluster.view(self.report()).members();
    }
}
