package io.ballast.bench.report;

import io.ballast.bench.Results;
import io.ballast.bench.Row;
import io.ballast.bench.Scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The report's chart as hand-written SVG: for every row, grouped bars of p50, p90, p99 and p99.9 on a logarithmic
 * latency axis, rows grouped by scenario. Each bar's tooltip gives its exact value.
 */
public final class LatencyChart {

    private static final List<String> COLOURS = List.of("#4e79a7", "#59a14f", "#f28e2b", "#e15759");
    private static final List<String> NAMES = List.of("p50", "p90", "p99", "p99.9");
    private static final int LEFT = 76;
    private static final int RIGHT = 16;
    private static final int TOP = 70;
    private static final int PLOT_HEIGHT = 300;
    private static final int BAR_WIDTH = 12;
    private static final int GROUP_GAP = 24;
    private static final int GROUP_WIDTH = BAR_WIDTH * 4 + GROUP_GAP;
    private static final int SCENARIO_GAP = 20;

    private final Results results;
    private final String title;

    public LatencyChart(Results results, String title) {
        this.results = results;
        this.title = title;
    }

    public String svg() {
        List<Row> rows = results.all();
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Row row : rows) {
            for (double percentile : MarkdownReport.PERCENTILES) {
                double value = row.percentileMicros(percentile);
                if (value > 0) {
                    lo = Math.min(lo, value);
                    hi = Math.max(hi, value);
                }
            }
        }
        if (hi == 0) {
            lo = 100;
            hi = 1_000_000;
        }
        double lowDecade = Math.pow(10, Math.floor(Math.log10(lo)));
        double highDecade = Math.pow(10, Math.ceil(Math.log10(hi)));
        if (highDecade <= lowDecade) {
            highDecade = lowDecade * 10;
        }
        Axis axis = new Axis(lowDecade, highDecade);

        List<Scenario> charted = Arrays.stream(Scenario.values())
                .filter(scenario -> !scenario.configurations().isEmpty()).toList();
        int width = LEFT + rows.size() * GROUP_WIDTH + (charted.size() - 1) * SCENARIO_GAP + RIGHT;
        int bottom = TOP + PLOT_HEIGHT;
        int height = bottom + 72;
        StringBuilder svg = new StringBuilder();
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s"
                + "</text>%n", LEFT, escape(title)));
        legend(svg);
        grid(svg, axis, width, bottom);

        int x = LEFT;
        for (Scenario scenario : charted) {
            List<Row> group = results.rows(scenario);
            int start = x;
            for (Row row : group) {
                bars(svg, row, axis, x, bottom);
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                        x + BAR_WIDTH * 2, bottom + 16, escape(row.configuration().shortLabel())));
                errorMark(svg, row, x + BAR_WIDTH * 2, bottom + 30);
                x += GROUP_WIDTH;
            }
            int middle = (start + x - GROUP_GAP) / 2;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
                    + "font-weight=\"bold\">%s</text>%n", middle, bottom + 50, escape(chartName(scenario))));
            if (charted.indexOf(scenario) < charted.size() - 1) {
                int separator = x - GROUP_GAP / 2 + SCENARIO_GAP / 2;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                        + "stroke=\"#999\" stroke-dasharray=\"3,3\"/>%n", separator, TOP, separator, bottom + 54));
            }
            x += SCENARIO_GAP;
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                LEFT - 4, bottom, width - RIGHT, bottom));
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void legend(StringBuilder svg) {
        int x = LEFT;
        for (int i = 0; i < NAMES.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"34\" width=\"12\" height=\"12\" "
                    + "fill=\"%s\"/><text x=\"%d\" y=\"44\">%s</text>%n", x, COLOURS.get(i), x + 16, NAMES.get(i)));
            x += 64;
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"44\" fill=\"#555\">latency of successful "
                + "responses, log scale; in red under a row: the share of its requests that failed</text>%n",
                x + 8));
    }

    private static void grid(StringBuilder svg, Axis axis, int width, int bottom) {
        for (double decade = axis.low; decade <= axis.high * 1.0001; decade *= 10) {
            for (int step = 1; step < 10; step++) {
                double value = decade * step;
                if (value > axis.high * 1.0001) {
                    break;
                }
                double y = axis.y(value, bottom);
                boolean major = step == 1;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                        + "stroke=\"%s\"/>%n", LEFT, y, width - RIGHT, y, major ? "#bbb" : "#eee"));
                if (major) {
                    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s"
                            + "</text>%n", LEFT - 6, y + 4, escape(decade(value))));
                }
            }
        }
    }

    private static void bars(StringBuilder svg, Row row, Axis axis, int x, int bottom) {
        if (!row.hasNumbers() || row.okCount() == 0) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#999\">"
                    + "n/a<title>%s</title></text>%n", x + BAR_WIDTH * 2, bottom - 6,
                    escape(row.missing().orElse("no successful responses"))));
            return;
        }
        for (int i = 0; i < MarkdownReport.PERCENTILES.size(); i++) {
            double value = row.percentileMicros(MarkdownReport.PERCENTILES.get(i));
            double y = axis.y(Math.max(value, axis.low), bottom);
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
                    + "fill=\"%s\"><title>%s, %s: %s</title></rect>%n", x + i * BAR_WIDTH, y, BAR_WIDTH - 1,
                    Math.max(0.5, bottom - y), COLOURS.get(i),
                    escape(row.scenario().title() + ", " + row.configuration().label()), NAMES.get(i),
                    escape(Format.latency(value))));
        }
    }

    /** Under a row's label: the share of its requests that failed, when any did. */
    private static void errorMark(StringBuilder svg, Row row, int x, int y) {
        row.measurement().filter(m -> m.totalErrors() > 0).ifPresent(m -> svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"#c00\">%s failed</text>%n",
                x, y, escape(Format.percent(m.totalErrors() / (double) m.totalSent())))));
    }

    /** A gridline's label: {@code 100 µs}, {@code 1 ms}, {@code 10 s}. */
    private static String decade(double micros) {
        if (micros < 1_000) {
            return Math.round(micros) + " µs";
        }
        if (micros < 1_000_000) {
            return Math.round(micros / 1_000) + " ms";
        }
        return Math.round(micros / 1_000_000) + " s";
    }

    /** The scenario's name under its group of bars: short, since a group is narrow. */
    private static String chartName(Scenario scenario) {
        return switch (scenario) {
            case EVEN -> "even load";
            case SKEW -> "skew at 70%";
            case SKEW30 -> "skew at 30%";
            case SLOW -> "slow node";
            case KILL -> "node killed";
            case HOP -> "one hop";
            case FORWARDING -> "forwarding max";
            case THROUGHPUT -> "/hello max";
            case SCALE -> "cluster size";
            case HTTPS -> "HTTPS max";
        };
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A logarithmic latency axis from {@code low} to {@code high} microseconds, both powers of ten. */
    private record Axis(double low, double high) {

        double y(double micros, int bottom) {
            double fraction = (Math.log10(micros) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
            return bottom - Math.min(1, Math.max(0, fraction)) * PLOT_HEIGHT;
        }
    }
}
