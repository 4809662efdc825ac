package dev.tessera.nn;

import static dev.tessera.nn.RecurrentLayerTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.GradMode;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LSTMCell}, {@link GRUCell} and {@link RNNCell} against the oracle's step, by gradient checks, and against their layers. */
class RecurrentCellTest {
    static RNNCellBase build(String mode, boolean bias) {
        Generator g = new Generator(31);
        return switch (mode) {
            case "LSTM" -> new LSTMCell(3, 4, bias, g);
            case "GRU" -> new GRUCell(3, 4, bias, g);
            default -> new RNNCell(3, 4, mode.equals("RNN_RELU") ? Nonlinearity.RELU : Nonlinearity.TANH, bias, g);
        };
    }

    /** The cell's full step: {h', c'} (c' null but for the LSTM cell). */
    static Tensor[] step(RNNCellBase cell, Tensor x, Tensor h, Tensor c) {
        if (cell instanceof LSTMCell lstm) {
            LSTMCell.State s = lstm.forward(x, h, c);
            return new Tensor[] {s.h(), s.c()};
        }
        if (cell instanceof GRUCell gru) {
            return new Tensor[] {gru.forward(x, h), null};
        }
        return new Tensor[] {((RNNCell) cell).forward(x, h), null};
    }

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN_TANH", "RNN_RELU"})
    void forwardAndBackwardMatchTheOracle(String mode) {
        for (boolean bias : new boolean[] {true, false}) {
            RNNCellBase cell = build(mode, bias);
            Tensor x = Tensor.randn(new Generator(1), 2, 3).requiresGrad(true);
            Tensor h = Tensor.randn(new Generator(2), 2, 4).requiresGrad(true);
            Tensor c = Tensor.randn(new Generator(3), 2, 4).requiresGrad(true);
            Tensor[] r = step(cell, x, h, c);
            Map<String, float[]> grads = RecurrentLayerTest.backward(RecurrentLayerTest.loss(r[0], r[0].mul(0f), r[1]), cell,
                    x, h, mode.equals("LSTM") ? c : null);
            Tensor[] o = RecurrentOracle.step(mode, cell.namedParameters(), "", 4, x, h, c);
            assertClose(mode + " h", o[0], r[0], 1e-5);
            if (r[1] != null) {
                assertClose(mode + " c", o[1], r[1], 1e-5);
            }
            Map<String, float[]> expected = RecurrentLayerTest.backward(RecurrentLayerTest.loss(o[0], o[0].mul(0f),
                    r[1] == null ? null : o[1]), cell, x, h, mode.equals("LSTM") ? c : null);
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                assertClose(mode + " gradient of " + e.getKey(), e.getValue(), grads.get(e.getKey()), 1e-4);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN_TANH"})
    void gradCheck(String mode) {
        RNNCellBase cell = build(mode, true);
        GradCheck.assertGradients(in -> {
            Tensor[] r = step(cell, in[0], in[1], in[2]);
            return r[1] == null ? r[0] : Tensor.cat(List.of(r[0], r[1]), 1);
        }, Tensor.randn(new Generator(4), 2, 3), Tensor.randn(new Generator(5), 2, 4), Tensor.randn(new Generator(6), 2, 4));
        NnTestUtil.assertParameterGradients(cell, Tensor.randn(new Generator(7), 2, 3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN_TANH"})
    void unbatchedAndZeroStates(String mode) {
        RNNCellBase cell = build(mode, true);
        Tensor x = Tensor.randn(new Generator(8), 3);
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor one = cell.forward(x);
            assertArrayEquals(new int[] {4}, one.shape());
            Tensor[] batched = step(cell, x.unsqueeze(0), Tensor.zeros(1, 4), Tensor.zeros(1, 4));
            assertClose("unbatched", batched[0].squeeze(0), one, 1e-6);
        }
    }

    /** Unrolling a cell that holds the layer's weights gives the layer's output. */
    @ParameterizedTest
    @ValueSource(strings = {"LSTM", "GRU", "RNN_RELU"})
    void cellUnrolledOverTimeEqualsTheLayer(String mode) {
        RNNCellBase cell = build(mode, true);
        RNNBase layer = RecurrentLayerTest.build(new RecurrentLayerTest.Config(mode, 1, false, false, true, false, null), 3, 4);
        Map<String, Tensor> state = new java.util.LinkedHashMap<>();
        cell.stateDict().forEach((k, v) -> state.put(k + "_l0", v));
        layer.loadStateDict(state);
        Tensor x = Tensor.randn(new Generator(9), 6, 2, 3);
        try (GradMode ignored = Tensor.noGrad()) {
            RecurrentResult r = RecurrentLayerTest.forward(layer, x, null, null, null);
            Tensor h = null;
            Tensor c = null;
            List<Tensor> outs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                Tensor[] hc = step(cell, x.select(0, t), h, c);
                h = hc[0];
                c = hc[1];
                outs.add(h);
            }
            assertClose(mode + " output", Tensor.stack(outs, 0), r.output(), 1e-5);
        }
    }
}
