package io.numpywren.cli;

import io.numpywren.scheduler.Planner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A planned job as a picture (SVG): three panels over simulated time, one above the other:
 * workers running, tasks ready and waiting, and the critical path's progress (the longest chain
 * of tasks done so far, over the whole chain's length).
 */
final class PlanPlot {
    private static final int WIDTH = 900;
    private static final int PANEL = 170;
    private static final int LEFT = 70;
    private static final int TOP = 50;
    private static final int GAP = 45;

    private PlanPlot() {
    }

    static void write(Planner.Plan plan, String title, Path file) throws IOException {
        List<Planner.Sample> s = plan.series();
        double end = Math.max(1e-9, s.isEmpty() ? plan.report().wallSeconds() : s.get(s.size() - 1).seconds());
        StringBuilder svg = new StringBuilder();
        int height = TOP + 3 * (PANEL + GAP) + 10;
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", LEFT, escape(title)));
        int critical = Math.max(1, plan.criticalPathTasks());
        panel(svg, 0, "workers running", s, end, Planner.Sample::runningWorkers, "#1f77b4", null);
        panel(svg, 1, "tasks ready, waiting for a worker", s, end, Planner.Sample::readyTasks, "#ff7f0e", null);
        panel(svg, 2, "critical path done (" + plan.criticalPathTasks() + " tasks long)", s, end,
                x -> 100.0 * x.criticalPathDone() / critical, "#2ca02c", 100.0);
        svg.append("</svg>\n");
        Files.writeString(file, svg.toString(), StandardCharsets.UTF_8);
    }

    private static void panel(StringBuilder svg, int index, String label, List<Planner.Sample> s, double end,
                              ToDoubleFunction<Planner.Sample> value, String colour, Double fixedMax) {
        int top = TOP + index * (PANEL + GAP);
        int right = WIDTH - 20;
        double max = fixedMax != null ? fixedMax : 1;
        if (fixedMax == null) {
            for (Planner.Sample x : s) {
                max = Math.max(max, value.applyAsDouble(x));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, top - 8, escape(label)));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                + "stroke=\"#999\"/>%n", LEFT, top, right - LEFT, PANEL));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n", LEFT - 6, top + 10,
                number(max) + (fixedMax != null ? "%" : "")));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", LEFT - 6,
                top + PANEL));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s s</text>%n", right,
                top + PANEL + 16, number(end)));
        StringBuilder points = new StringBuilder();
        for (Planner.Sample x : s) {
            double px = LEFT + (right - LEFT) * x.seconds() / end;
            double py = top + PANEL - PANEL * value.applyAsDouble(x) / max;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        }
        svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
                colour, points.toString().trim()));
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
