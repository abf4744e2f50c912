package io.ballast.node.limit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.local.LocalBucket;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's part of a cluster-wide {@link RateLimit}: one token bucket per client, holding this node's share of
 * that client's limit, so that a request costs no remote call.
 *
 * <p>The share follows the traffic. Each node counts the requests every client sends it over the last
 * {@link #WINDOW_TICKS} ticks (its demand) and, on each {@link #tick}, publishes the clients whose demand matters and
 * reads what its peers published. A client's share here is its demand here over its demand at all nodes: a client that
 * DNS spreads evenly over three nodes gets a third of its limit at each, one that sticks to one node gets all of it
 * there, and the shares add up to the whole limit. A client this node has not seen before starts with
 * {@code 1/members}, until its demand has had {@link #SETTLE_TICKS} ticks to reach the peers.
 *
 * <p>Thread-safe: requests call {@link #tryAcquire} from any thread; one thread calls {@link #tick}.
 */
public final class ClientLimits {

    /** Demand is measured over this many ticks (2 s at the node's 250 ms tick). */
    static final int WINDOW_TICKS = 8;

    /** At most this many clients are published per tick, the busiest first. */
    static final int MAX_PUBLISHED = 1_000;

    /**
     * Tokens one request costs: shares are fractions of the limit, and bucket4j counts in whole tokens, so a node's
     * share of a burst of 10 is 3333 tokens, not 3 requests.
     */
    private static final long TOKENS_PER_REQUEST = 1_000;

    /** The bucket's refill is stated per hour, so that even {@code 1/h} split three ways stays exact enough. */
    private static final Duration REFILL_PERIOD = Duration.ofHours(1);

    /**
     * A new client keeps its first share ({@code 1/members}) until it has been here this many ticks, even when no
     * peer has published it: a peer that sees it too publishes on its own tick, up to one tick later.
     */
    static final int SETTLE_TICKS = 2;

    /** A share is only changed when it moved by more than this fraction of itself. */
    private static final double SHARE_CHANGE = 0.02;

    private final RateLimit limit;
    private final double tickSeconds;
    private final TimeMeter clock;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final LongAdder rejected = new LongAdder();

    /** The answer to one request: whether it may go on, and what to tell the client about its limit. */
    public record Decision(boolean allowed, long remaining, long resetSeconds, long retryAfterSeconds) {
    }

    /**
     * @param limit       the limit each client has across the cluster
     * @param tickSeconds how often {@link #tick} is called
     */
    public ClientLimits(RateLimit limit, double tickSeconds) {
        this(limit, tickSeconds, TimeMeter.SYSTEM_NANOTIME);
    }

    ClientLimits(RateLimit limit, double tickSeconds, TimeMeter clock) {
        this.limit = limit;
        this.tickSeconds = tickSeconds;
        this.clock = clock;
    }

    public RateLimit limit() {
        return limit;
    }

    /**
     * Counts one request of {@code client} against its bucket here.
     *
     * @param members the members of the cluster now: a new client's first share is one over it
     */
    public Decision tryAcquire(String client, int members) {
        Client state = clients.computeIfAbsent(client, id -> new Client(1.0 / Math.max(1, members)));
        state.attempts.incrementAndGet();
        ConsumptionProbe probe = state.bucket.tryConsumeAndReturnRemaining(TOKENS_PER_REQUEST);
        double share = state.share;
        long remaining = Math.min(limit.burst(),
                (long) Math.floor(probe.getRemainingTokens() / (TOKENS_PER_REQUEST * share)));
        long reset = seconds(probe.getNanosToWaitForReset());
        if (probe.isConsumed()) {
            return new Decision(true, remaining, reset, 0);
        }
        rejected.increment();
        return new Decision(false, 0, reset, Math.max(1, seconds(probe.getNanosToWaitForRefill())));
    }

    /**
     * Moves the demand window on by one tick, sets every client's share from its demand here and {@code othersDemand},
     * forgets clients that have been idle long enough to hold a full bucket, and returns the demand to publish.
     *
     * @param othersDemand each client's demand at the other members now, in requests per second
     * @param members      the members of the cluster now
     * @return the clients whose demand here could matter to a peer (at least half of one member's even share of the
     *         rate), the busiest {@link #MAX_PUBLISHED}, in requests per second
     */
    public Map<String, Double> tick(Map<String, Double> othersDemand, int members) {
        int n = Math.max(1, members);
        double publishAbove = limit.perSecond() / (2.0 * n);
        double minShare = 1.0 / (4.0 * n);
        Map<String, Double> demand = new HashMap<>();
        clients.entrySet().removeIf(entry -> {
            Client client = entry.getValue();
            double mine = client.advance();
            if (mine == 0 && client.isFull()) {
                return true;
            }
            double others = othersDemand.getOrDefault(entry.getKey(), 0.0);
            if (others > 0) {
                client.setShare(Math.max(minShare, mine / (mine + others)),
                        TokensInheritanceStrategy.PROPORTIONALLY);
            } else if (client.ticks >= SETTLE_TICKS && client.share < 1.0) {
                // long enough that a peer seeing it too would have said so: this node is its only way in. A client
                // just settling gets the rest of its burst that its cautious first share held back.
                client.setShare(1.0, client.ticks == SETTLE_TICKS
                        ? TokensInheritanceStrategy.ADDITIVE : TokensInheritanceStrategy.PROPORTIONALLY);
            }
            if (mine >= publishAbove) {
                demand.put(entry.getKey(), mine);
            }
            return false;
        });
        if (demand.size() <= MAX_PUBLISHED) {
            return demand;
        }
        Map<String, Double> busiest = new LinkedHashMap<>();
        demand.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(MAX_PUBLISHED)
                .forEach(entry -> busiest.put(entry.getKey(), entry.getValue()));
        return busiest;
    }

    /** Requests refused here since the node started. */
    public long rejected() {
        return rejected.sum();
    }

    /** Clients this node holds a bucket for now. */
    public int tracked() {
        return clients.size();
    }

    /** This node's share of {@code client}'s limit now, or empty when it holds no bucket for it. */
    OptionalDouble shareOf(String client) {
        Client state = clients.get(client);
        return state == null ? OptionalDouble.empty() : OptionalDouble.of(state.share);
    }

    private static long seconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }

    private BucketConfiguration configuration(double share) {
        long capacity = Math.max(TOKENS_PER_REQUEST, Math.round(limit.burst() * share * TOKENS_PER_REQUEST));
        long refill = Math.max(1, Math.round(limit.perSecond() * share * TOKENS_PER_REQUEST
                * REFILL_PERIOD.toSeconds()));
        return BucketConfiguration.builder()
                .addLimit(bandwidth -> bandwidth.capacity(capacity).refillGreedy(refill, REFILL_PERIOD))
                .build();
    }

    /** One client at this node: its bucket, its share, and the requests it sent in each recent tick. */
    private final class Client {
        final LocalBucket bucket;
        final AtomicLong attempts = new AtomicLong();
        /** Requests per tick, oldest overwritten first; touched by the ticking thread only. */
        final long[] window = new long[WINDOW_TICKS];
        int next;
        /** Ticks since this client was first seen here; touched by the ticking thread only. */
        int ticks;
        volatile double share;

        Client(double share) {
            this.share = share;
            this.bucket = Bucket.builder().withCustomTimePrecision(clock).addLimit(
                    configuration(share).getBandwidths()[0]).build();
        }

        /** Closes the current tick; returns the requests a second over the window, or over its ticks so far. */
        double advance() {
            ticks++;
            window[next] = attempts.getAndSet(0);
            next = (next + 1) % WINDOW_TICKS;
            long sum = 0;
            for (long count : window) {
                sum += count;
            }
            // a client seen for less than a window is measured over the ticks it has been seen
            return sum / (Math.min(ticks, WINDOW_TICKS) * tickSeconds);
        }

        boolean isFull() {
            return bucket.getAvailableTokens() >= bucket.getConfiguration().getBandwidths()[0].getCapacity();
        }

        /**
         * Resizes the bucket to {@code share} of the limit when the share moved enough to matter. {@code PROPORTIONALLY}
         * keeps the bucket as full, in proportion, as it was; {@code ADDITIVE} adds what the capacity grew by.
         */
        void setShare(double share, TokensInheritanceStrategy tokens) {
            if (Math.abs(share - this.share) > SHARE_CHANGE * this.share) {
                this.share = share;
                bucket.replaceConfiguration(configuration(share), tokens);
            }
        }
    }
}
