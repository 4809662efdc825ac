package dev.tessera.examples;

import dev.tessera.nn.train.History;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Draws training curves as PNG images with XChart. */
final class Charts {
    private Charts() {
    }

    /** Writes one chart per kind of value (losses, accuracies) side by side in {@code file} (a {@code .png}). */
    static void saveHistory(History history, String title, Path file) throws IOException {
        double[] epochs = new double[history.size()];
        for (int i = 0; i < epochs.length; i++) {
            epochs[i] = i + 1;
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("epoch").yAxisTitle("value").build();
        chart.getStyler().setMarkerSize(5);
        List<String> keys = new ArrayList<>(history.keys());
        keys.remove("lr");
        for (String key : keys) {
            chart.addSeries(key, epochs, history.get(key));
        }
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
