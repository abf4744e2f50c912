package io.ballast.it;

import io.ballast.it.harness.Await;
import io.ballast.it.harness.Chromium;
import io.ballast.it.harness.NodeProcess;
import io.ballast.it.harness.NodeSpec;
import io.ballast.it.harness.TestCluster;
import io.ballast.it.load.OpenLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.logging.LogEntry;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live cluster page ({@code GET /_ballast/}) in a real headless Chromium, against a real cluster of three: what
 * a person who opens it sees, read from the page's DOM while it polls. Node n1 serves the page and gets all the
 * load; three nodes of capacity 8 under {@code /work?ms=200} serve 40 requests a second each, so 60 a second at n1
 * make it hand a third on. Screenshots go to {@code target/cluster-page*.png}.
 */
class ClusterPageIT {

    private static final int CAPACITY = 8;
    private static final String WORK = "/work?ms=200";
    private static final double RATE = 60;
    private static final Path SCREENSHOTS = Path.of("target");

    /** Reads the page in one go (it redraws every 400 ms, so elements found one by one would go stale). */
    private static final String READ_PAGE = """
            const rows = {};
            for (const tr of document.querySelectorAll('#members tbody tr')) {
              const fill = tr.querySelector('.bar .fill.running');
              rows[tr.dataset.member] = {
                state: tr.dataset.state,
                served: tr.querySelector('.served-rate').textContent,
                forwarded: tr.querySelector('.forwarded-rate').textContent,
                fill: fill ? fill.getBoundingClientRect().width : 0,
              };
            }
            const cells = [...document.querySelectorAll('#forwards td.active')].map(td => td.dataset.from + '>' + td.dataset.to);
            const arrows = [...document.querySelectorAll('#flow-arrows g.arrow')].map(g => g.dataset.from + '>' + g.dataset.to);
            const matrix = {};
            for (const td of document.querySelectorAll('#forwards td[data-from]')) {
              matrix[td.dataset.from + '>' + td.dataset.to] = parseFloat(td.textContent) || 0;
            }
            const events = [...document.querySelectorAll('#events li')].map(li => li.dataset.type + ' ' + li.dataset.member);
            return {
              cluster: document.getElementById('cluster-name').textContent,
              self: document.getElementById('self-name').textContent,
              connection: document.getElementById('connection').textContent,
              rows, cells, arrows, matrix, events,
              caption: document.querySelector('#members caption').textContent,
              overflow: document.documentElement.scrollWidth - window.innerWidth,
            };
            """;

    @RegisterExtension
    final TestCluster cluster = new TestCluster();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Chromium chromium) {
        return (Map<String, Object>) chromium.driver().executeScript(READ_PAGE);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Map<String, Object> page, String member) {
        Map<String, Object> rows = (Map<String, Object>) page.get("rows");
        return (Map<String, Object>) rows.getOrDefault(member, Map.of());
    }

    /** A rate cell's number, or 0 for a cell that shows none yet ("—"). */
    private static double perSecond(Map<String, Object> row, String column) {
        String text = String.valueOf(row.get(column));
        return text.matches("[0-9.]+") ? Double.parseDouble(text) : 0;
    }

    @SuppressWarnings("unchecked")
    private static List<String> list(Map<String, Object> page, String key) {
        return (List<String>) page.get(key);
    }

    /** A window as tall as the page, so that the picture shows all of it. */
    private static void screenshotOfWholePage(Chromium chromium, String file) {
        long height = ((Number) chromium.driver().executeScript(
                "return document.documentElement.scrollHeight")).longValue();
        chromium.driver().manage().window().setSize(new Dimension(1280, (int) Math.min(4000, height + 120)));
        chromium.screenshot(SCREENSHOTS.resolve(file));
    }

    private static String describe(Map<String, Object> page) {
        return "the page shows " + page;
    }

    /** Waits with a failure message that gives what the page showed at the last check, then every node's state. */
    private Await await(Duration limit, AtomicReference<Map<String, Object>> lastRead) {
        return Await.atMost(limit).describing(() -> describe(lastRead.get()) + "\n\n" + cluster.describe());
    }

    @Test
    @SuppressWarnings("unchecked")
    void pageShowsTheMembersTheirLoadWhoForwardsToWhomAndAKilledNodeAsGone() throws Exception {
        Chromium.assumeInstalled();
        List<NodeSpec> specs = cluster.newNodes(3);
        String discovery = NodeSpec.staticDiscovery(specs);
        List<NodeProcess> nodes = cluster.startAll(specs.stream()
                .map(spec -> spec.withDiscovery(discovery).withArgs("--capacity", Integer.toString(CAPACITY)))
                .toList());
        cluster.awaitOneView(Duration.ofSeconds(60), nodes);
        NodeProcess n1 = nodes.get(0);
        NodeProcess n3 = nodes.get(2);

        HttpResponse<String> page = n1.get("/_ballast/");
        assertEquals(200, page.statusCode());
        assertEquals("default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                page.headers().firstValue("Content-Security-Policy").orElse(null));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElse(null));
        HttpResponse<String> script = n1.get("/_ballast/page.js");
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElse(null));
        assertEquals("nosniff", script.headers().firstValue("X-Content-Type-Options").orElse(null));
        assertTrue(!script.body().contains("innerHTML") && !script.body().contains("insertAdjacentHTML"),
                "the script writes text, never markup");
        HttpResponse<String> unknown = n1.get("/_ballast/page.html");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("\"error\":\"no operator endpoint /_ballast/page.html\""), unknown.body());
        HttpResponse<String> bare = n1.get("/_ballast");
        assertEquals(301, bare.statusCode());
        assertEquals("/_ballast/", bare.headers().firstValue("Location").orElse(null));

        AtomicBoolean stopLoad = new AtomicBoolean();
        CompletableFuture<Void> load = null;
        List<LogEntry> console = new ArrayList<>();
        try (Chromium chromium = Chromium.start(1280, 1000)) {
            // a browser pointed at a node of the demo app lands on the page
            chromium.driver().get(n1.url() + "/");
            assertEquals(n1.url() + "/_ballast/", chromium.driver().getCurrentUrl());
            AtomicReference<Map<String, Object>> last = new AtomicReference<>(Map.of());
            await(Duration.ofSeconds(15), last).until("the page lists n1, n2 and n3 as UP, served by n1", () -> {
                last.set(read(chromium));
                return nodes.stream().allMatch(node -> "UP".equals(row(last.get(), node.name()).get("state")))
                        && n1.name().equals(last.get().get("self")) && cluster.name().equals(last.get().get("cluster"))
                        && "live".equals(last.get().get("connection"));
            });
            assertTrue(String.valueOf(last.get().get("caption")).contains(n1.name()), describe(last.get()));
            // a keyboard user on a member's link keeps it while the page redraws around it
            chromium.driver().executeScript("window.focused = document.querySelector("
                    + "'#members tr[data-member=\"" + n3.name() + "\"] td.url a'); window.focused.focus();");

            load = CompletableFuture.runAsync(() -> {
                while (!stopLoad.get()) {
                    OpenLoop.run(List.of(n1.url()), WORK, RATE, Duration.ofSeconds(2));
                }
            });
            await(Duration.ofSeconds(20), last).until("n1's load bar fills and its served rate rises", () -> {
                last.set(read(chromium));
                Map<String, Object> n1Row = row(last.get(), n1.name());
                return ((Number) n1Row.get("fill")).doubleValue() > 0 && perSecond(n1Row, "served") >= 5;
            });
            await(Duration.ofSeconds(20), last).until("a forward from n1 shows in the matrix and as an arrow",
                    () -> {
                        last.set(read(chromium));
                        return list(last.get(), "cells").stream().anyMatch(c -> c.startsWith(n1.name() + ">"))
                                && list(last.get(), "arrows").stream().anyMatch(a -> a.startsWith(n1.name() + ">"));
                    });
            await(Duration.ofSeconds(20), last).until("n2 and n3 show a served rate, and n1's rates add up to "
                    + "most of the load it gets, its forwards to each peer as many as it starts", () -> {
                last.set(read(chromium));
                Map<String, Object> n1Row = row(last.get(), n1.name());
                double forwarded = perSecond(n1Row, "forwarded");
                Map<String, Number> matrix = (Map<String, Number>) last.get().get("matrix");
                double toPeers = matrix.getOrDefault(n1.name() + ">" + nodes.get(1).name(), 0).doubleValue()
                        + matrix.getOrDefault(n1.name() + ">" + n3.name(), 0).doubleValue();
                // forwards are counted when they start, per peer when they end: alike once the load is steady
                return perSecond(row(last.get(), nodes.get(1).name()), "served") >= 1
                        && perSecond(row(last.get(), n3.name()), "served") >= 1
                        && perSecond(n1Row, "served") + forwarded >= 0.7 * RATE && toPeers >= 0.8 * forwarded;
            });
            assertEquals(true, chromium.driver().executeScript("return document.contains(window.focused)"
                    + " && document.activeElement === window.focused"), "the focused link survived the redraws");
            chromium.driver().executeScript("window.focused.blur()");
            screenshotOfWholePage(chromium, "cluster-page.png");

            long killedAt = System.nanoTime();
            n3.kill();
            await(Duration.ofSeconds(15), last).since(killedAt).until("the page shows n3 as gone", () -> {
                last.set(read(chromium));
                return "GONE".equals(row(last.get(), n3.name()).get("state"));
            });
            await(Duration.ofSeconds(15), last).since(killedAt).until("an event on the page says n3 left or is "
                    + "suspected", () -> {
                last.set(read(chromium));
                return list(last.get(), "events").stream().anyMatch(e -> e.equals("member-left " + n3.name())
                        || e.equals("member-suspected " + n3.name()));
            });
            assertEquals("UP", row(last.get(), n1.name()).get("state"), describe(last.get()));
            assertEquals("UP", row(last.get(), nodes.get(1).name()).get("state"), describe(last.get()));
            screenshotOfWholePage(chromium, "cluster-page-node-gone.png");
            console.addAll(chromium.consoleSinceLastCall());

            chromium.driver().manage().window().setSize(new Dimension(390, 844));
            await(Duration.ofSeconds(5), last).until("on a phone-sized window, nothing sticks out sideways", () -> {
                last.set(read(chromium));
                return ((Number) last.get().get("overflow")).intValue() <= 0;
            });
            chromium.screenshot(SCREENSHOTS.resolve("cluster-page-phone.png"));
            console.addAll(chromium.consoleSinceLastCall());
        } finally {
            stopLoad.set(true);
            if (load != null) {
                load.join();
            }
        }
        List<String> severe = console.stream().filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::toString).toList();
        assertEquals(List.of(), severe, "errors in the browser's console");
    }
}
