package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.F;
import dev.tessera.nn.LayerNorm;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.MultiheadAttention;
import dev.tessera.nn.PositionalEncoding;
import dev.tessera.nn.Random;
import dev.tessera.nn.TransformerActivation;
import dev.tessera.nn.TransformerEncoder;
import dev.tessera.nn.TransformerEncoderLayer;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * Teaches a small transformer encoder to reverse sequences of random tokens: output position
 * {@code i} must name the token at position {@code L - 1 - i}. No token carries information about
 * where it must go, so the network has to route each token by position, which is what attention
 * does: one head learns to look from query {@code i} at key {@code L - 1 - i}, and the PNG heat
 * map of that head's weights shows an anti-diagonal.
 *
 * <p>Every batch is freshly drawn, so the held-out accuracy measures generalisation. Training stops
 * when the fraction of held-out sequences reversed without a single wrong token reaches {@code
 * --target} (default 99%), or after {@code --epochs} epochs.
 */
public final class AttentionExample {
    private static final int STEPS_PER_EPOCH = 50;
    private static final int BATCH = 64;

    private AttentionExample() {
    }

    /** Embedding + learned positions, a pre-norm encoder, and a per-position classifier over the vocabulary. */
    static final class Reverser extends Module {
        Reverser(int vocab, int length, int dModel, int heads, int layers, Generator g) {
            registerModule("embed", new Embedding(vocab, dModel, g));
            registerModule("pos", new PositionalEncoding(dModel, length, 0.0, true));
            registerModule("encoder", new TransformerEncoder(i -> new TransformerEncoderLayer(dModel, heads, 2 * dModel, 0.0,
                    TransformerActivation.RELU, 1e-5, true, true, g), layers, new LayerNorm(dModel)));
            registerModule("head", new Linear(dModel, vocab, true, g));
        }

        /** Returns the vectors that enter the first encoder layer, {@code [N, L, d]}. */
        Tensor embed(Tensor tokens) {
            return get("pos").forward(get("embed").forward(tokens));
        }

        /** Maps INT32 tokens {@code [N, L]} to logits {@code [N, L, vocab]}. */
        @Override
        public Tensor forward(Tensor tokens) {
            return get("head").forward(get("encoder").forward(embed(tokens)));
        }

        TransformerEncoder encoder() {
            return (TransformerEncoder) get("encoder");
        }
    }

    /** Parses the options, trains, reports the held-out accuracy and writes the heat map. */
    public static void main(String[] argv) throws IOException {
        Args args = new Args("attention")
                .option("out", "tessera-attention", "directory for the attention heat map")
                .option("epochs", "30", "maximum number of epochs of " + STEPS_PER_EPOCH + " batches of " + BATCH)
                .option("seed", "42", "random seed")
                .option("length", "32", "sequence length")
                .option("vocab", "10", "number of distinct tokens")
                .option("target", "0.99", "stop once the held-out whole-sequence accuracy reaches this");
        if (!args.parse(argv)) {
            return;
        }
        int length = args.getInt("length");
        int vocab = args.getInt("vocab");
        int epochs = args.getInt("epochs");
        float target = args.getFloat("target");
        long seed = Long.parseLong(args.get("seed"));
        Path out = Path.of(args.get("out"));
        if (length < 2 || vocab < 2 || epochs < 1) {
            throw new IllegalArgumentException("need --length >= 2, --vocab >= 2 and --epochs >= 1");
        }

        Random.manualSeed(seed);
        Generator g = new Generator(seed);
        Reverser model = new Reverser(vocab, length, 64, 4, 2, g);
        Optimizer opt = new Adam(model.parameters(), 2e-3f);
        Generator data = new Generator(seed + 1);
        int[][] heldOut = batch(new Generator(seed + 2), 512, length, vocab);
        System.out.printf(Locale.ROOT, "Reversing sequences of %d tokens over %d symbols; %d parameters%n", length, vocab,
                model.parameterCount());

        long start = System.nanoTime();
        double[] acc = {0, 0};
        for (int epoch = 1; epoch <= epochs; epoch++) {
            model.train();
            double lossSum = 0;
            for (int step = 0; step < STEPS_PER_EPOCH; step++) {
                int[][] b = batch(data, BATCH, length, vocab);
                Tensor logits = model.forward(Tensor.ofInts(b[0], BATCH, length));
                Tensor loss = F.crossEntropy(logits.reshape(-1, vocab), Tensor.ofInts(b[1], BATCH * length));
                opt.zeroGrad();
                loss.backward();
                opt.step();
                lossSum += loss.item();
            }
            acc = evaluate(model, heldOut, length, vocab);
            System.out.printf(Locale.ROOT, "epoch %2d  loss %.4f  held-out token accuracy %.4f  sequence accuracy %.4f"
                    + "  (%.1f s)%n", epoch, lossSum / STEPS_PER_EPOCH, acc[0], acc[1], (System.nanoTime() - start) / 1e9);
            if (acc[1] >= target) {
                break;
            }
        }
        System.out.printf(Locale.ROOT, "Final held-out accuracy: %.2f%% of tokens, %.2f%% of whole sequences%n",
                100 * acc[0], 100 * acc[1]);
        Files.createDirectories(out);
        Path png = out.resolve("attention-heatmap.png");
        saveHeatMap(model, heldOut, length, png);
        System.out.println("Attention heat map written to " + png.toAbsolutePath());
    }

    /** Returns {tokens, reversed tokens}, each {@code n * length} values drawn from {@code g}. */
    static int[][] batch(Generator g, int n, int length, int vocab) {
        int[] x = new int[n * length];
        int[] y = new int[n * length];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < length; i++) {
                x[s * length + i] = g.nextInt(vocab);
            }
            for (int i = 0; i < length; i++) {
                y[s * length + i] = x[s * length + length - 1 - i];
            }
        }
        return new int[][] {x, y};
    }

    /** Returns {token accuracy, whole-sequence accuracy} of the model in eval mode on {@code set}. */
    static double[] evaluate(Reverser model, int[][] set, int length, int vocab) {
        model.eval();
        int n = set[0].length / length;
        int[] predicted;
        try (var ng = Tensor.noGrad()) {
            predicted = model.forward(Tensor.ofInts(set[0], n, length)).argmax(-1).toIntArray();
        }
        int tokens = 0;
        int sequences = 0;
        for (int s = 0; s < n; s++) {
            boolean all = true;
            for (int i = 0; i < length; i++) {
                boolean ok = predicted[s * length + i] == set[1][s * length + i];
                tokens += ok ? 1 : 0;
                all &= ok;
            }
            sequences += all ? 1 : 0;
        }
        return new double[] {tokens / (double) (n * length), sequences / (double) n};
    }

    /**
     * Draws the weights of the sharpest head (largest mean of each query's top weight, over every
     * layer and head) for the first held-out sequence as a PNG heat map at {@code file}.
     */
    static void saveHeatMap(Reverser model, int[][] set, int length, Path file) throws IOException {
        model.eval();
        float[] best = null;
        String label = "";
        double bestSharpness = -1;
        try (var ng = Tensor.noGrad()) {
            Tensor x = model.embed(Tensor.ofInts(java.util.Arrays.copyOf(set[0], length), 1, length));
            TransformerEncoder encoder = model.encoder();
            for (int layer = 0; layer < encoder.numLayers(); layer++) {
                TransformerEncoderLayer l = encoder.layer(layer);
                Tensor h = l.get("norm1").forward(x); // pre-norm: attention sees norm1(x)
                MultiheadAttention attn = l.selfAttn();
                Tensor w = attn.forward(h, h, h, null, null, true, false).weights(); // [1, H, L, L]
                for (int head = 0; head < attn.numHeads(); head++) {
                    Tensor hw = w.select(0, 0).select(0, head);
                    double sharpness = hw.max(-1, false).mean().item();
                    if (sharpness > bestSharpness) {
                        bestSharpness = sharpness;
                        best = hw.toFloatArray();
                        label = "layer " + layer + ", head " + head;
                    }
                }
                x = l.forward(x);
            }
        }
        List<Integer> keys = new ArrayList<>();
        List<Integer> queries = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            keys.add(i);
            queries.add(length - 1 - i); // query 0 at the top
        }
        List<Number[]> cells = new ArrayList<>();
        for (int row = 0; row < length; row++) {
            for (int col = 0; col < length; col++) {
                int query = length - 1 - row;
                cells.add(new Number[] {col, row, best[query * length + col]});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(760).height(680)
                .title("Attention weights, " + label + " (reversal, eval mode)")
                .xAxisTitle("key position").yAxisTitle("query position").build();
        chart.getStyler().setMin(0).setMax(1).setShowValue(false)
                .setRangeColors(new Color[] {Color.WHITE, new Color(66, 146, 198), new Color(8, 48, 107)});
        chart.addSeries("weight", keys, queries, cells);
        String name = file.toString();
        BitmapEncoder.saveBitmap(chart, name.endsWith(".png") ? name.substring(0, name.length() - 4) : name,
                BitmapEncoder.BitmapFormat.PNG);
    }
}
