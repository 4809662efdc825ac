package dev.tessera.examples;

import dev.tessera.examples.TransferCurve.Point;
import dev.tessera.examples.TransferTraining.Approach;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws the transfer-learning curve and the accuracy against training time as PNG images with XChart. */
final class CurveCharts {
    /** Width of both images in pixels. */
    static final int WIDTH = 900;
    /** Height of both images in pixels. */
    static final int HEIGHT = 560;

    /** One colour per {@link Approach}, in declaration order. */
    private static final Color[] COLORS = {new Color(0x33, 0x33, 0x33), new Color(0x1f, 0x77, 0xb4),
        new Color(0x2c, 0xa0, 0x2c), new Color(0xd6, 0x27, 0x28), new Color(0x94, 0x67, 0xbd)};

    private CurveCharts() {
    }

    /**
     * Draws the mean test accuracy against labelled images per class (log axis), one line per
     * approach, with a translucent band from the smallest to the largest accuracy over the seeds,
     * into {@code file} ({@link #WIDTH} x {@link #HEIGHT}, overwritten); returns {@code file}.
     */
    static Path learningCurve(List<Point> points, String title, Path file) throws IOException {
        XYChart chart = chart(title, "labelled training images per class (log scale)",
                "test accuracy (mean, band: min-max over seeds)");
        for (Approach a : Approach.values()) {
            List<Point> own = points.stream().filter(p -> p.approach() == a).toList();
            if (own.isEmpty()) {
                continue;
            }
            int n = own.size();
            double[] x = new double[n];
            double[] mean = new double[n];
            double[] bandX = new double[2 * n];
            double[] bandY = new double[2 * n];
            for (int i = 0; i < n; i++) {
                Point p = own.get(i);
                x[i] = p.perClass();
                mean[i] = p.mean();
                bandX[i] = p.perClass();
                bandY[i] = p.max();
                bandX[2 * n - 1 - i] = p.perClass();
                bandY[2 * n - 1 - i] = p.min();
            }
            Color c = COLORS[a.ordinal()];
            XYSeries band = chart.addSeries(a.label + " min-max", bandX, bandY);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 40));
            band.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
            band.setLineStyle(new BasicStroke(0.5f));
            band.setMarker(SeriesMarkers.NONE);
            band.setShowInLegend(false);
            line(chart, a, x, mean);
        }
        return save(chart, file);
    }

    /**
     * Draws the mean test accuracy against the mean training CPU time in seconds (log axis), one line
     * per approach through its sizes, and a dashed line at each of {@code targets}, into {@code file}
     * ({@link #WIDTH} x {@link #HEIGHT}, overwritten); returns {@code file}.
     */
    static Path accuracyAgainstTime(List<Point> points, double[] targets, String title, Path file) throws IOException {
        XYChart chart = chart(title, "training CPU seconds per run (log scale; one point per size)",
                "test accuracy (mean over seeds)");
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Approach a : Approach.values()) {
            List<Point> own = points.stream().filter(p -> p.approach() == a).toList();
            if (own.isEmpty()) {
                continue;
            }
            double[] x = own.stream().mapToDouble(p -> Math.max(p.cpuSeconds(), 1e-3)).toArray();
            double[] y = own.stream().mapToDouble(Point::mean).toArray();
            for (double v : x) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            line(chart, a, x, y);
        }
        for (int i = 0; i < targets.length && hi > 0; i++) {
            XYSeries t = chart.addSeries(String.format(Locale.ROOT, "target %.2f", targets[i]), new double[] {lo, hi},
                    new double[] {targets[i], targets[i]});
            t.setMarker(SeriesMarkers.NONE);
            t.setLineColor(Color.GRAY);
            t.setLineStyle(SeriesLines.DASH_DASH);
            t.setShowInLegend(i == 0);
        }
        return save(chart, file);
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        return chart;
    }

    private static void line(XYChart chart, Approach a, double[] x, double[] y) {
        XYSeries s = chart.addSeries(a.title, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setLineColor(COLORS[a.ordinal()]);
        s.setMarkerColor(COLORS[a.ordinal()]);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    private static Path save(XYChart chart, Path file) throws IOException {
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
