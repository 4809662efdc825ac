package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradMode;
import dev.tessera.Generator;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PyTorch-layout weights: a state dict with PyTorch's names and shapes loads into each recurrent
 * layer and cell, and the forward equals the values PyTorch 1.13 computed for the same weights,
 * inputs and states ({@code src/test/resources/golden/golden_recurrent.py} wrote {@code
 * recurrent-golden.txt}; every value comes from a formula both sides implement, so no weights are
 * stored).
 */
class RecurrentGoldenTest {
    private static final double TOL = 2e-5;
    private static final Map<String, String> GOLDEN = load();

    /** The cases of golden_recurrent.py: name, module, input shape, initial states given, lengths. */
    static Stream<Arguments> layers() {
        Generator g = new Generator(0);
        return Stream.of(
                Arguments.of("lstm_2layer_bidir", (Supplier<RNNBase>) () -> new LSTM(3, 4, 2, false, true),
                        new int[] {5, 2, 3}, true, null),
                Arguments.of("lstm_batch_first_zero_state", (Supplier<RNNBase>) () -> new LSTM(3, 4, 1, true, false),
                        new int[] {2, 5, 3}, false, null),
                Arguments.of("gru_2layer_bidir_batch_first", (Supplier<RNNBase>) () -> new GRU(3, 4, 2, true, true),
                        new int[] {2, 5, 3}, true, null),
                Arguments.of("rnn_tanh_bidir", (Supplier<RNNBase>) () -> new RNN(3, 4, 1, false, true),
                        new int[] {5, 2, 3}, true, null),
                Arguments.of("rnn_relu_2layer_no_bias", (Supplier<RNNBase>) () -> new RNN(3, 4, 2, Nonlinearity.RELU, false,
                        false, 0.0, false, g), new int[] {5, 2, 3}, true, null),
                Arguments.of("lstm_packed_bidir", (Supplier<RNNBase>) () -> new LSTM(3, 4, 2, false, true),
                        new int[] {5, 3, 3}, true, new int[] {5, 2, 3}),
                Arguments.of("gru_packed_bidir", (Supplier<RNNBase>) () -> new GRU(3, 4, 1, false, true),
                        new int[] {5, 3, 3}, true, new int[] {3, 5, 1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerLoadsPyTorchStateDictAndMatchesItsOutput(String name, Supplier<RNNBase> make, int[] shape, boolean states,
            int[] lengths) {
        RNNBase m = fill(name, make.get());
        Tensor x = value("input", 2.0, shape);
        int batch = m.batchFirst() ? shape[0] : shape[1];
        int[] stateShape = {m.numLayers() * m.directions(), batch, m.hiddenSize()};
        Tensor h0 = states ? value("h0", 1.0, stateShape) : null;
        Tensor c0 = states ? value("c0", 1.0, stateShape) : null;
        RecurrentResult r;
        try (GradMode ignored = Tensor.noGrad()) {
            if (m instanceof LSTM lstm) {
                r = lstm.forward(x, h0, c0, lengths);
            } else if (m instanceof GRU gru) {
                r = gru.forward(x, h0, lengths);
            } else {
                r = ((RNN) m).forward(x, h0, lengths);
            }
        }
        assertClose(name, "output", r.output());
        assertClose(name, "h", r.h());
        if (m instanceof LSTM) {
            assertClose(name, "c", r.c());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void cellLoadsPyTorchStateDictAndMatchesItsOutput(String name, Supplier<RNNCellBase> make) {
        RNNCellBase cell = fill(name, make.get());
        Tensor x = value("input", 2.0, 2, 3);
        Tensor h0 = value("h0", 1.0, 2, 4);
        try (GradMode ignored = Tensor.noGrad()) {
            if (cell instanceof LSTMCell lstm) {
                LSTMCell.State s = lstm.forward(x, h0, value("c0", 1.0, 2, 4));
                assertClose(name, "h", s.h());
                assertClose(name, "c", s.c());
            } else if (cell instanceof GRUCell gru) {
                assertClose(name, "h", gru.forward(x, h0));
            } else {
                assertClose(name, "h", ((RNNCell) cell).forward(x, h0));
            }
        }
    }

    static Stream<Arguments> cells() {
        return Stream.of(
                Arguments.of("lstm_cell", (Supplier<RNNCellBase>) () -> new LSTMCell(3, 4)),
                Arguments.of("gru_cell", (Supplier<RNNCellBase>) () -> new GRUCell(3, 4)),
                Arguments.of("rnn_cell_relu", (Supplier<RNNCellBase>) () -> new RNNCell(3, 4, Nonlinearity.RELU, true,
                        new Generator(1))));
    }

    /** Checks that the module's state dict has PyTorch's keys, in order, and shapes; loads the formula's values strictly. */
    private static <M extends Module> M fill(String name, M module) {
        List<String> want = List.of(golden(name, "keys").split(" "));
        List<String> have = new ArrayList<>();
        Map<String, Tensor> state = new LinkedHashMap<>();
        module.stateDict().forEach((k, t) -> {
            have.add(k + ":" + Shape.str(t.shape()).replaceAll("[\\[\\] ]", "").replace(',', 'x'));
            state.put(k, value(k, 1.0, t.shape()));
        });
        assertEquals(want, have, name + ": state-dict keys and shapes");
        LoadResult r = module.loadStateDict(state);
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
        module.eval();
        return module;
    }

    private static void assertClose(String name, String what, Tensor actual) {
        String[] parts = golden(name, what).split(" ");
        float[] a = actual.toFloatArray();
        assertEquals(parts.length, a.length, name + " " + what + ": element count (shape " + Shape.str(actual.shape()) + ")");
        for (int i = 0; i < a.length; i++) {
            double e = Double.parseDouble(parts[i]);
            assertEquals(e, a[i], TOL, name + " " + what + " element " + i);
        }
    }

    private static String golden(String name, String what) {
        String v = GOLDEN.get(name + " " + what);
        assertNotNull(v, "recurrent-golden.txt has no line '" + name + " " + what + "'");
        return v;
    }

    /** {@code scale * u(key, i)} for every element of {@code shape}, u as in golden_models.py. */
    static Tensor value(String key, double scale, int... shape) {
        int n = Shape.numel(shape);
        long seed = 1125899906842597L;
        for (int c = 0; c < key.length(); c++) {
            seed = 31 * seed + key.charAt(c);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            v[i] = (float) (scale * ((z >>> 40) * 0x1.0p-24 - 0.5));
        }
        return Tensor.of(v, shape);
    }

    private static Map<String, String> load() {
        Map<String, String> out = new HashMap<>();
        try (InputStream in = RecurrentGoldenTest.class.getResourceAsStream("/golden/recurrent-golden.txt")) {
            if (in == null) {
                throw new IllegalStateException("golden/recurrent-golden.txt is missing from the test resources");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] p = line.split(" ", 3);
                out.put(p[0] + " " + p[1], p[2]);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read golden/recurrent-golden.txt", e);
        }
        return out;
    }
}
