package io.ballast.node.admin;

import io.ballast.node.limit.ClientLimits;
import io.ballast.node.load.LoadMeter;
import io.ballast.protocol.ClusterView;
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
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The node's metrics, in a Micrometer registry scraped in Prometheus' text format at {@code /_ballast/metrics}.
 * Every name starts with {@code ballast_}; peer gauges are labelled {@code peer}.
 */
public final class NodeMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer forwardLatency;
    private final MultiGauge peerLoad;
    private final MultiGauge peerInFlight;
    private final MultiGauge peerSessions;
    private final Supplier<ClusterView> view;

    /**
     * @param sessions the live sessions whose primary owner is this node
     */
    public NodeMetrics(String node, LoadMeter meter, Supplier<ClusterView> view, LongSupplier sessions) {
        this.view = view;
        registry.config().commonTags("node", node);
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
        Gauge.builder("ballast.cluster.members", view, v -> v.get().members().size())
                .description("Members in this node's view of the cluster").register(registry);
        Gauge.builder("ballast.sessions", sessions, LongSupplier::getAsLong)
                .description("Live sessions whose data this node holds as primary owner (counted every second)")
                .strongReference(true)
                .register(registry);
        this.forwardLatency = Timer.builder("ballast.forward.latency")
                .description("Time from forwarding a request to a peer until its answer has been sent on")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
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

    public void forwardCompleted(long nanos) {
        forwardLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The metrics in Prometheus' text exposition format. */
    public String scrape() {
        List<MemberView> members = view.get().members();
        peerLoad.register(members.stream()
                .map(m -> MultiGauge.Row.of(Tags.of("peer", m.name()), m.load())).toList(), true);
        peerInFlight.register(members.stream()
                .map(m -> MultiGauge.Row.of(Tags.of("peer", m.name()), m.inFlight())).toList(), true);
        peerSessions.register(members.stream()
                .map(m -> MultiGauge.Row.of(Tags.of("peer", m.name()), m.sessions())).toList(), true);
        return registry.scrape();
    }
}
