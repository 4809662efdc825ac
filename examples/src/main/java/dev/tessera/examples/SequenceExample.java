package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.F;
import dev.tessera.nn.GRU;
import dev.tessera.nn.LSTM;
import dev.tessera.nn.LayerNorm;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.PositionalEncoding;
import dev.tessera.nn.RNNBase;
import dev.tessera.nn.Random;
import dev.tessera.nn.TransformerActivation;
import dev.tessera.nn.TransformerEncoder;
import dev.tessera.nn.TransformerEncoderLayer;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Recurrence against attention on a long-range task: each sequence is {@code L} random tokens and
 * the model, having read all of them, must name the first one, the token seen {@code L - 1} steps
 * ago. An LSTM and a GRU must carry it in their state across every step (and their gradients back
 * across as many); a small Transformer encoder can look straight back at position 0.
 *
 * <p>For each length (default 16, 64, 256) each model trains for the same number of Adam steps on
 * fresh random batches; the example prints the held-out accuracy (chance is {@code 1 / vocab})
 * and the training time, and plots both against the length in {@code sequence-recall.png}.
 */
public final class SequenceExample {
    private SequenceExample() {
    }

    /** Tokens {@code [N, L]} (INT32) to logits over the vocabulary for the first token, {@code [N, vocab]}. */
    abstract static class Recaller extends Module {
    }

    /**
     * Embedding, one LSTM or GRU layer (batch first), and a classifier on the final hidden state. The
     * LSTM's forget-gate bias {@code bias_hh_l0[H:2H]} starts at 2 rather than near 0 (the usual
     * advice is 1 or more), so that early in training the cell state is mostly kept ({@code
     * sigmoid(2) = 0.88}) rather than halved at every step: with 0 the LSTM stays at chance even at
     * length 16 within the default budget, with 1 it reaches about 40% there.
     */
    static final class RecurrentRecaller extends Recaller {
        RecurrentRecaller(boolean lstm, int vocab, int embed, int hidden, Generator g) {
            registerModule("embed", new Embedding(vocab, embed, g));
            RNNBase rnn = registerModule("rnn", lstm ? new LSTM(embed, hidden, 1, true, true, 0.0, false, g)
                    : new GRU(embed, hidden, 1, true, true, 0.0, false, g));
            registerModule("head", new Linear(hidden, vocab, true, g));
            if (lstm) {
                try (var ng = Tensor.noGrad()) {
                    rnn.namedParameters().get("bias_hh_l0").slice(0, hidden, 2 * hidden).fill(2f);
                }
            }
        }

        @Override
        public Tensor forward(Tensor tokens) {
            Tensor x = get("embed").forward(tokens);
            Tensor h = ((RNNBase) get("rnn")).forward(x, null).h().select(0, 0); // [N, H] after the last step
            return get("head").forward(h);
        }
    }

    /** Embedding plus sinusoidal positions, a 2-layer pre-norm encoder, and a classifier on the last position. */
    static final class TransformerRecaller extends Recaller {
        TransformerRecaller(int vocab, int dModel, int length, Generator g) {
            registerModule("embed", new Embedding(vocab, dModel, g));
            registerModule("pos", new PositionalEncoding(dModel, length, 0.0, true));
            registerModule("encoder", new TransformerEncoder(i -> new TransformerEncoderLayer(dModel, 4, 2 * dModel, 0.0,
                    TransformerActivation.RELU, 1e-5, true, true, g), 2, new LayerNorm(dModel)));
            registerModule("head", new Linear(dModel, vocab, true, g));
        }

        @Override
        public Tensor forward(Tensor tokens) {
            Tensor y = get("encoder").forward(get("pos").forward(get("embed").forward(tokens)));
            return get("head").forward(y.select(1, y.size(1) - 1));
        }
    }

    /** One model's result at one length. */
    record Result(double accuracy, double seconds, double finalLoss) {
    }

    /** Parses the options, trains every model at every length, prints the table and writes the chart. */
    public static void main(String[] argv) throws IOException {
        Args args = new Args("sequence")
                .option("out", "tessera-sequence", "directory for sequence-recall.png")
                .option("lengths", "16,64,256", "comma-separated sequence lengths")
                .option("steps", "200", "Adam steps per model and length (batches of --batch fresh sequences)")
                .option("batch", "32", "sequences per step")
                .option("vocab", "8", "number of distinct tokens (chance accuracy is 1/vocab)")
                .option("hidden", "64", "LSTM/GRU hidden size (the Transformer uses d = hidden / 2)")
                .option("lr", "0.01", "Adam learning rate")
                .option("seed", "42", "random seed");
        if (!args.parse(argv)) {
            return;
        }
        List<Integer> lengths = new ArrayList<>();
        for (String s : args.get("lengths").split(",")) {
            lengths.add(Integer.parseInt(s.trim()));
        }
        int steps = args.getInt("steps");
        int batch = args.getInt("batch");
        int vocab = args.getInt("vocab");
        int hidden = args.getInt("hidden");
        float lr = args.getFloat("lr");
        long seed = Long.parseLong(args.get("seed"));
        if (steps < 1 || batch < 1 || vocab < 2 || hidden < 8 || lengths.stream().anyMatch(l -> l < 2)) {
            throw new IllegalArgumentException("need --steps >= 1, --batch >= 1, --vocab >= 2, --hidden >= 8, lengths >= 2");
        }
        System.out.printf(Locale.ROOT, "Recall the first of L random tokens (%d symbols, chance %.1f%%) after reading all"
                + " L; %d Adam steps of %d sequences per model and length%n", vocab, 100.0 / vocab, steps, batch);
        System.out.printf(Locale.ROOT, "%-12s %6s %10s %10s %10s%n", "model", "length", "accuracy", "train s", "last loss");

        Map<String, List<Result>> results = new LinkedHashMap<>();
        for (String name : List.of("LSTM", "GRU", "Transformer")) {
            results.put(name, new ArrayList<>());
        }
        // A few untimed steps of every model first, so that the first timing does not include the JIT's warm-up.
        int shortest = lengths.stream().mapToInt(Integer::intValue).min().getAsInt();
        for (Recaller m : List.of(new RecurrentRecaller(true, vocab, hidden / 2, hidden, new Generator(seed)),
                new RecurrentRecaller(false, vocab, hidden / 2, hidden, new Generator(seed)),
                new TransformerRecaller(vocab, hidden / 2, shortest, new Generator(seed)))) {
            train(m, new Generator(seed - 1), batch(new Generator(seed - 2), batch, shortest, vocab), 20, batch, shortest,
                    vocab, lr);
        }
        for (int length : lengths) {
            int[][] heldOut = batch(new Generator(seed + 1000 + length), 512, length, vocab);
            for (String name : results.keySet()) {
                Random.manualSeed(seed);
                Generator g = new Generator(seed);
                Recaller model = switch (name) {
                    case "LSTM" -> new RecurrentRecaller(true, vocab, hidden / 2, hidden, g);
                    case "GRU" -> new RecurrentRecaller(false, vocab, hidden / 2, hidden, g);
                    default -> new TransformerRecaller(vocab, hidden / 2, length, g);
                };
                Result r = train(model, new Generator(seed + length), heldOut, steps, batch, length, vocab, lr);
                results.get(name).add(r);
                System.out.printf(Locale.ROOT, "%-12s %6d %9.1f%% %10.2f %10.3f%n", name, length, 100 * r.accuracy(),
                        r.seconds(), r.finalLoss());
            }
        }
        Path out = Path.of(args.get("out"));
        Files.createDirectories(out);
        Path png = out.resolve("sequence-recall.png");
        saveChart(lengths, results, vocab, steps, png);
        System.out.println("Chart written to " + png.toAbsolutePath());
    }

    /** Trains {@code model} for {@code steps} Adam steps on fresh batches from {@code data}; returns its held-out accuracy and time. */
    static Result train(Recaller model, Generator data, int[][] heldOut, int steps, int batch, int length, int vocab,
            float lr) {
        Optimizer opt = new Adam(model.parameters(), lr);
        model.train();
        long start = System.nanoTime();
        double lastLoss = 0;
        int tail = Math.min(10, steps);
        for (int step = 0; step < steps; step++) {
            int[][] b = batch(data, batch, length, vocab);
            Tensor loss = F.crossEntropy(model.forward(Tensor.ofInts(b[0], batch, length)), Tensor.ofInts(b[1], batch));
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step >= steps - tail) { // the mean loss of the last steps
                lastLoss += loss.item() / tail;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(accuracy(model, heldOut, length), seconds, lastLoss);
    }

    /** Returns {tokens (n * length), first tokens (n)} drawn from {@code g}. */
    static int[][] batch(Generator g, int n, int length, int vocab) {
        int[] x = new int[n * length];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = g.nextInt(vocab);
        }
        for (int s = 0; s < n; s++) {
            y[s] = x[s * length];
        }
        return new int[][] {x, y};
    }

    /** The fraction of {@code set}'s sequences whose first token the model names, in eval mode. */
    static double accuracy(Recaller model, int[][] set, int length) {
        model.eval();
        int n = set[1].length;
        int[] predicted;
        try (var ng = Tensor.noGrad()) {
            predicted = model.forward(Tensor.ofInts(set[0], n, length)).argmax(-1).toIntArray();
        }
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += predicted[i] == set[1][i] ? 1 : 0;
        }
        return right / (double) n;
    }

    /** Writes accuracy and training time against length, one series per model, side by side in one PNG. */
    static void saveChart(List<Integer> lengths, Map<String, List<Result>> results, int vocab, int steps, Path file)
            throws IOException {
        double[] x = lengths.stream().mapToDouble(Integer::doubleValue).toArray();
        XYChart acc = new XYChartBuilder().width(600).height(480).title("Recall the first token (" + steps + " steps)")
                .xAxisTitle("sequence length").yAxisTitle("held-out accuracy").build();
        XYChart time = new XYChartBuilder().width(600).height(480).title("Training time (" + steps + " steps)")
                .xAxisTitle("sequence length").yAxisTitle("seconds").build();
        for (XYChart c : List.of(acc, time)) {
            c.getStyler().setXAxisLogarithmic(true).setMarkerSize(8).setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        }
        acc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        for (Map.Entry<String, List<Result>> e : results.entrySet()) {
            acc.addSeries(e.getKey(), x, e.getValue().stream().mapToDouble(Result::accuracy).toArray());
            time.addSeries(e.getKey(), x, e.getValue().stream().mapToDouble(Result::seconds).toArray());
        }
        double[] chance = new double[x.length];
        java.util.Arrays.fill(chance, 1.0 / vocab);
        acc.addSeries("chance", x, chance).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        String name = file.toString();
        BitmapEncoder.saveBitmap(List.of(acc, time), 1, 2, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
