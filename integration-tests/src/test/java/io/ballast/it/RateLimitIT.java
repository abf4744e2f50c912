package io.ballast.it;

import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.RawHttp;
import io.ballast.it.harness.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --rate-limit} holds across the cluster: a client that DNS spreads over three nodes gets the configured rate,
 * not three times it; a client stuck to one node gets all of it there; and a client cannot talk its way around the
 * limit with headers. The nodes run {@code --balance always}, so two requests in three are forwarded: were a
 * forward counted again at the peer, the clients would get less than the rate.
 */
class RateLimitIT {

    private static final int RATE = 20;
    private static final int BURST = 10;
    private static final Duration RUN = Duration.ofSeconds(10);

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @Test
    void eachClientGetsTheConfiguredRateAcrossTheClusterWhereverItsRequestsLand() throws Exception {
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> members = cluster.startAll(specs.stream()
                .map(spec -> spec.withDiscovery(discovery).withArgs("--rate-limit", RATE + "/s,burst=" + BURST,
                        "--balance", "always", "--strategy", "round-robin"))
                .toList());
        cluster.awaitOneView(Duration.ofSeconds(60), members);
        // one more round of reports so that every node sees every peer as a forward target
        cluster.await(Duration.ofSeconds(10)).until("every node sees two peers UP", () -> members.stream()
                .allMatch(n -> n.view().members().stream().filter(m -> m.state().name().equals("UP")).count() == 3));

        Client spread = new Client("spread", cluster.newAddress(), i -> members.get(i % 3), 3 * RATE, Map::of);
        Client stuck = new Client("stuck", cluster.newAddress(), i -> members.get(0), 2 * RATE, Map::of);
        Client spoofing = new Client("spoofing", cluster.newAddress(), i -> members.get(i % 3), 3 * RATE,
                () -> Map.of("X-Forwarded-For", randomAddress(), "X-Ballast-Hop", "v1.n2.n1.0.AAAA.forged",
                        "Forwarded", "for=" + randomAddress()));
        List<CompletableFuture<Tally>> runs = List.of(spread.runAsync(), stuck.runAsync(), spoofing.runAsync());
        List<Tally> tallies = new ArrayList<>();
        for (CompletableFuture<Tally> run : runs) {
            tallies.add(run.get(RUN.toSeconds() + 30, TimeUnit.SECONDS));
        }

        double expected = RATE * RUN.toSeconds() + BURST;
        for (Tally tally : tallies) {
            System.out.printf("%s: %d sent, %d allowed (expected %.0f), %d refused, %d forwarded%n", tally.name,
                    tally.sent, tally.allowed, expected, tally.refused, tally.forwarded);
            assertEquals(0, tally.other, tally.name + ": answers other than 200 and 429: " + tally.otherSample);
            assertTrue(tally.sent >= RUN.toSeconds() * RATE * 2 * 0.9, tally.name + " sent only " + tally.sent);
            assertTrue(Math.abs(tally.allowed - expected) <= 0.1 * expected, tally.name + ": " + tally.allowed
                    + " allowed in " + RUN.toSeconds() + " s, expected " + expected + " ± 10 %");
            assertTrue(tally.refused > 0, tally.name + " was never refused");
            assertTrue(tally.refusalsWellFormed, tally.name + ": a 429 without Retry-After, RateLimit-* or JSON");
        }
        assertTrue(tallies.get(0).forwarded > tallies.get(0).allowed / 3,
                "with --balance always, most of the spread client's requests are forwarded: "
                        + tallies.get(0).forwarded);
    }

    private static String randomAddress() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }

    /** What one client saw. */
    private static final class Tally {
        final String name;
        int sent;
        int allowed;
        int refused;
        int other;
        int forwarded;
        String otherSample = "";
        boolean refusalsWellFormed = true;

        Tally(String name) {
            this.name = name;
        }
    }

    /**
     * One client at its own loopback address, sending {@code GET /hello} at a steady rate for {@link #RUN}, the i-th
     * request to {@code target.apply(i)}, over one keep-alive connection per node.
     */
    private record Client(String name, String address, IntFunction<NodeProcess> target, int perSecond,
                          Supplier<Map<String, String>> headers) {

        CompletableFuture<Tally> runAsync() {
            CompletableFuture<Tally> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    result.complete(run());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            }, "client-" + name);
            thread.setDaemon(true);
            thread.start();
            return result;
        }

        private Tally run() throws InterruptedException {
            Tally tally = new Tally(name);
            Map<NodeProcess, RawHttp> connections = new HashMap<>();
            long intervalNanos = 1_000_000_000L / perSecond;
            long start = System.nanoTime();
            long end = start + RUN.toNanos();
            try {
                for (int i = 0; ; i++) {
                    long due = start + i * intervalNanos;
                    if (due >= end) {
                        return tally;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    NodeProcess node = target.apply(i);
                    RawHttp connection = connections.computeIfAbsent(node,
                            n -> RawHttp.connect(address, n.bind(), n.httpPort()));
                    RawHttp.Response response = connection.get("/hello", headers.get(), Duration.ofSeconds(5));
                    if ("close".equalsIgnoreCase(response.header("connection"))) {
                        connections.remove(node).close();
                    }
                    tally.sent++;
                    if (response.status() == 200) {
                        tally.allowed++;
                        if (response.header("via") != null) {
                            tally.forwarded++;
                        }
                        tally.refusalsWellFormed &= response.header("ratelimit-remaining") != null;
                    } else if (response.status() == 429) {
                        tally.refused++;
                        tally.refusalsWellFormed &= response.header("retry-after") != null
                                && Long.parseLong(response.header("retry-after")) >= 1
                                && String.valueOf(BURST).equals(response.header("ratelimit-limit"))
                                && "0".equals(response.header("ratelimit-remaining"))
                                && response.header("ratelimit-reset") != null
                                && response.bodyText().contains("\"requestId\"");
                    } else {
                        tally.other++;
                        tally.otherSample = response.status() + " " + response.bodyText();
                    }
                }
            } finally {
                for (RawHttp connection : connections.values()) {
                    connection.close();
                }
            }
        }
    }
}
