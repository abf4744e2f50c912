package io.ballast.bench;

import io.ballast.bench.process.HaProxy;
import io.ballast.bench.process.Nginx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the whole suite in seconds, at tiny rates (a node of {@code --capacity 2} with {@code /work?ms=100} serves
 * 20 rps), and checks that the harness writes a complete report: every scenario x configuration row, every goal
 * with a verdict, the chart as valid SVG. No timing is asserted: the numbers of a run this short mean nothing.
 * Without nginx or HAProxy installed their rows say they were skipped, and the goals that need them are not
 * evaluated.
 */
class BenchSmokeTest {

    @TempDir
    Path out;

    @Test
    void theSuiteWritesACompleteReportAndChart() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);
        int status = Main.run(List.of("--quick", "--duration", "1s", "--warmup", "500ms",
                "--capacity", "2", "--work-ms", "100", "--concurrency", "2",
                "--jvm-options", "-Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k", "--scale-sizes", "2",
                "--out", out.toString(), "--date", "smoke"), Path.of(""), log);
        String progress = captured.toString(StandardCharsets.UTF_8);

        Path reportFile = out.resolve("smoke.md");
        Path chartFile = out.resolve("smoke-latency.svg");
        assertTrue(Files.isRegularFile(reportFile), "no report at " + reportFile + "; the run said:\n" + progress);
        String report = Files.readString(reportFile, StandardCharsets.UTF_8);
        assertFalse(report.contains("FAILED"), "a row failed:\n" + report);
        assertEquals(0, status, "exit status; the run said:\n" + progress);

        boolean nginx = Nginx.find().isPresent();
        boolean haproxy = HaProxy.find().isPresent();
        for (Scenario scenario : Scenario.values()) {
            String section = section(report, scenario);
            for (Configuration configuration : scenario.configurations()) {
                String row = line(section, "| " + configuration.label() + " |");
                if (configuration.needsNginx() && !nginx) {
                    assertTrue(row.contains("skipped: nginx is not installed"), row);
                } else if (configuration == Configuration.HAPROXY && !haproxy) {
                    assertTrue(row.contains("skipped: HAProxy is not installed"), row);
                } else {
                    assertTrue(row.matches(".*\\| \\d[\\d.,]* (µs|ms|s) \\|.*"), "no latencies in " + row);
                }
            }
        }

        // the scale scenario's own table: a cluster of two, formed, at rest and under load, its traffic counted
        String scale = section(report, Scenario.SCALE);
        String rest = line(scale, "| at rest |");
        assertTrue(rest.matches("\\| 2 \\| \\d+\\.\\d s \\| at rest \\| [\\d.,]+ / [\\d.,]+ \\| .*"), rest);
        double sentAtRest = Double.parseDouble(rest.split("\\|")[4].split("/")[0].trim().replace(",", ""));
        assertTrue(sentAtRest >= 1, "a node publishes its load report every 250 ms, yet sent " + sentAtRest
                + " cluster messages per second at rest: " + rest);
        String loaded = line(scale, "| under load |");
        assertTrue(loaded.matches("\\| 2 \\|  \\| under load \\| [\\d.,]+ / [\\d.,]+ \\| "
                + ".*\\| [\\d.,]+ / [\\d.,]+ · .*"), loaded);

        List<Goal> goals = Goals.evaluate(new Results());
        assertEquals(18, goals.size());
        String goalTable = report.substring(report.indexOf("## Goals"), report.indexOf("## How it was measured"));
        for (Goal goal : goals) {
            String line = line(goalTable, "| " + goal.scenario().title() + " | " + goal.statement() + " |");
            assertTrue(line.matches(".*\\*\\*(MET|NOT MET|NOT EVALUATED)\\*\\* \\|$"), line);
            if (nginx && haproxy) {
                assertFalse(line.contains("NOT EVALUATED"), "every row was measured, yet: " + line);
            }
            String inSection = line(section(report, goal.scenario()), ": " + goal.statement() + " — ");
            assertTrue(inSection.startsWith("- **"), inSection);
        }
        assertTrue(report.contains("## How it was measured"), report);
        assertTrue(report.contains("](smoke-latency.svg)"), "the report does not link its chart:\n" + report);

        assertTrue(Files.isRegularFile(chartFile), "no chart at " + chartFile);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(chartFile.toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        long bars = svg.getElementsByTagName("rect").getLength();
        long measuredRows = countMeasuredRows(report);
        assertTrue(bars >= 4 * measuredRows, bars + " rects for " + measuredRows + " measured rows");
    }

    /** The part of the report under {@code ## <scenario title>}, up to the next heading. */
    private static String section(String report, Scenario scenario) {
        String heading = "\n## " + scenario.title() + "\n";
        int start = report.indexOf(heading);
        assertTrue(start >= 0, "no section " + heading.trim() + " in:\n" + report);
        int end = report.indexOf("\n## ", start + heading.length());
        return report.substring(start, end < 0 ? report.length() : end);
    }

    /** The one line of {@code text} that contains {@code part}. */
    private static String line(String text, String part) {
        List<String> found = new ArrayList<>(text.lines().filter(line -> line.contains(part)).toList());
        assertEquals(1, found.size(), "lines with '" + part + "' in:\n" + text);
        return found.get(0);
    }

    private static long countMeasuredRows(String report) {
        return report.lines().filter(line -> line.matches("\\| .* \\| (closed loop|[\\d.,]+) / .*"))
                .filter(line -> !line.contains("| at rest |") && !line.contains("| under load |")).count();
    }

    /** Writes to two streams: the test keeps the progress log, and the build output shows it. */
    private static final class Tee extends OutputStream {

        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }

        @Override
        public void flush() throws IOException {
            first.flush();
            second.flush();
        }
    }
}
