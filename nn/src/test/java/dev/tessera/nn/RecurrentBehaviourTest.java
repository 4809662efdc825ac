package dev.tessera.nn;

import static dev.tessera.nn.RecurrentLayerTest.assertClose;
import static dev.tessera.nn.RecurrentLayerTest.build;
import static dev.tessera.nn.RecurrentLayerTest.forward;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tessera.Generator;
import dev.tessera.GradMode;
import dev.tessera.Tensor;
import dev.tessera.nn.RecurrentLayerTest.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * States carried across calls, padded steps, unbatched inputs, dropout between layers, concurrent
 * eval-mode calls and parameter names of the recurrent layers.
 */
class RecurrentBehaviourTest {
    private static final String[] MODES = {"LSTM", "GRU", "RNN_TANH", "RNN_RELU"};
    private static final double TOL = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN_TANH", "RNN_RELU"})
    void statesCarriedAcrossCallsContinueTheSequence(String mode) {
        RNNBase m = build(new Config(mode, 2, false, false, true, true, null), 3, 4);
        boolean lstm = mode.equals("LSTM");
        Tensor x = Tensor.randn(new Generator(1), 7, 2, 3);
        Tensor h0 = Tensor.randn(new Generator(2), 2, 2, 4);
        Tensor c0 = lstm ? Tensor.randn(new Generator(3), 2, 2, 4) : null;
        try (GradMode ignored = Tensor.noGrad()) {
            RecurrentResult whole = forward(m, x, h0, c0, null);
            RecurrentResult first = forward(m, x.slice(0, 0, 4), h0, c0, null);
            RecurrentResult second = forward(m, x.slice(0, 4, 7), first.h(), first.c(), null);
            assertClose("first part", whole.output().slice(0, 0, 4), first.output(), TOL);
            assertClose("second part", whole.output().slice(0, 4, 7), second.output(), TOL);
            assertClose("final h", whole.h(), second.h(), TOL);
            if (lstm) {
                assertClose("final c", whole.c(), second.c(), TOL);
            } else {
                assertNull(second.c());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void paddedStepsChangeNothingAndOutputZeros(boolean bidirectional) {
        for (String mode : MODES) {
            RNNBase m = build(new Config(mode, 2, bidirectional, true, true, true, null), 3, 4);
            int[] lengths = {6, 2, 4};
            Tensor x = Tensor.randn(new Generator(4), 3, 6, 3); // batch first
            Tensor noise = Tensor.randn(new Generator(5), 3, 6, 3).mul(10f);
            float[] keep = new float[3 * 6 * 3];
            for (int b = 0; b < 3; b++) {
                for (int t = 0; t < 6; t++) {
                    for (int i = 0; i < 3; i++) {
                        keep[(b * 6 + t) * 3 + i] = t < lengths[b] ? 1f : 0f;
                    }
                }
            }
            Tensor mask = Tensor.of(keep, 3, 6, 3);
            Tensor otherPadding = x.mul(mask).add(noise.mul(mask.rsub(1f)));
            try (GradMode ignored = Tensor.noGrad()) {
                RecurrentResult a = forward(m, x, null, null, lengths);
                RecurrentResult b = forward(m, otherPadding, null, null, lengths);
                assertClose(mode + " output", a.output(), b.output(), TOL);
                assertClose(mode + " h", a.h(), b.h(), TOL);
                float[] out = a.output().toFloatArray();
                int features = m.directions() * 4;
                for (int s = 0; s < 3; s++) {
                    for (int t = lengths[s]; t < 6; t++) {
                        for (int f = 0; f < features; f++) {
                            assertEquals(0f, out[(s * 6 + t) * features + f], mode + " padded output " + s + "," + t);
                        }
                    }
                    // The final state of each sequence is that of the sequence run alone, cut to its length.
                    RecurrentResult alone = forward(m, x.slice(0, s, s + 1).slice(1, 0, lengths[s]), null, null, null);
                    assertClose(mode + " h of sequence " + s, alone.h(), a.h().slice(1, s, s + 1), TOL);
                    if (a.c() != null) {
                        assertClose(mode + " c of sequence " + s, alone.c(), a.c().slice(1, s, s + 1), TOL);
                    }
                    assertClose(mode + " output of sequence " + s, alone.output(),
                            a.output().slice(0, s, s + 1).slice(1, 0, lengths[s]), TOL);
                }
            }
        }
    }

    @Test
    void fullLengthsEqualNoLengths() {
        LSTM m = new LSTM(3, 4, 2, false, true);
        Tensor x = Tensor.randn(new Generator(6), 5, 2, 3);
        try (GradMode ignored = Tensor.noGrad()) {
            RecurrentResult a = m.forward(x, new int[] {5, 5});
            RecurrentResult b = m.forward(x, null, null);
            assertClose("output", b.output(), a.output(), 0);
            assertClose("h", b.h(), a.h(), 0);
            assertClose("c", b.c(), a.c(), 0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unbatchedInputEqualsABatchOfOne(boolean batchFirst) {
        GRU m = new GRU(3, 4, 2, true, batchFirst, 0.0, true, new Generator(7));
        Tensor x = Tensor.randn(new Generator(8), 5, 3);
        Tensor h0 = Tensor.randn(new Generator(9), 4, 4);
        try (GradMode ignored = Tensor.noGrad()) {
            RecurrentResult one = m.forward(x, h0);
            RecurrentResult batched = m.forward(x.unsqueeze(batchFirst ? 0 : 1), h0.unsqueeze(1));
            assertArrayEquals(new int[] {5, 8}, one.output().shape());
            assertArrayEquals(new int[] {4, 4}, one.h().shape());
            assertClose("output", batched.output().squeeze(batchFirst ? 0 : 1), one.output(), TOL);
            assertClose("h", batched.h().squeeze(1), one.h(), TOL);
        }
    }

    @Test
    void dropoutActsBetweenLayersInTrainingModeOnly() {
        LSTM withDropout = new LSTM(3, 8, 3, true, false, 0.5, false, new Generator(10));
        LSTM without = new LSTM(3, 8, 3, true, false, 0.0, false, new Generator(10));
        Tensor x = Tensor.randn(new Generator(11), 6, 2, 3);
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor reference = without.forward(x);
            withDropout.eval();
            assertClose("eval mode", reference, withDropout.forward(x), 0);
            withDropout.train();
            Tensor a = withDropout.forward(x);
            Tensor b = withDropout.forward(x);
            assertFalse(close(a, reference), "training mode must drop");
            assertFalse(close(a, b), "each call draws new masks");
            without.train();
            assertClose("no dropout in training mode", reference, without.forward(x), 0);
        }
    }

    @Test
    void dropoutFollowsTheGeneratorState() {
        LSTM m = new LSTM(3, 8, 2, true, false, 0.3, false, new Generator(12));
        Tensor x = Tensor.randn(new Generator(13), 6, 2, 3);
        long state = m.generator().state();
        Tensor a = m.forward(x);
        m.generator().setState(state);
        assertClose("same masks", a, m.forward(x), 0);
    }

    @Test
    void evalModeForwardFromManyThreadsGivesEachItsOwnResult() throws Exception {
        LSTM m = new LSTM(3, 8, 2, true, true, 0.5, true, new Generator(14));
        m.eval();
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            inputs.add(Tensor.randn(new Generator(100 + i), 2, 5, 3));
            try (GradMode ignored = Tensor.noGrad()) {
                expected.add(m.forward(inputs.get(i)).toFloatArray());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int rep = 0; rep < 4; rep++) {
                for (Tensor in : inputs) {
                    results.add(pool.submit(() -> {
                        try (GradMode ignored = Tensor.noGrad()) {
                            return m.forward(in).toFloatArray();
                        }
                    }));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertArrayEquals(expected.get(i % inputs.size()), results.get(i).get(), "call " + i);
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void parametersHavePyTorchNamesShapesAndInitRange() {
        LSTM m = new LSTM(3, 16, 2, false, true);
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse",
                "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse", "weight_ih_l1", "weight_hh_l1",
                "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
                "bias_hh_l1_reverse"), new ArrayList<>(m.namedParameters().keySet()));
        assertArrayEquals(new int[] {64, 32}, m.namedParameters().get("weight_ih_l1").shape());
        for (Tensor p : m.parameters()) {
            for (float v : p.toFloatArray()) {
                assertFalse(Math.abs(v) > 0.25f, "init outside U(-1/sqrt(16), 1/sqrt(16)): " + v);
            }
        }
        assertEquals("LSTM(input=3, hidden=16, layers=2, bidirectional=true)", m.toString());
        // per direction: weight_ih 12x3, weight_hh 12x4, two biases of 12
        assertEquals(2 * (36 + 48 + 24), new GRU(3, 4, 1, true, true).parameterCount(), "GRU(3, 4) bidirectional");
    }

    private static boolean close(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i] - y[i]) > 1e-6) {
                return false;
            }
        }
        return true;
    }
}
