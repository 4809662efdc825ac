package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FusedRecurrent}'s LSTM ops (the GRU's: {@link FusedGruTest}): the cell and the sequence op against the same equations
 * written with plain tensor ops (values and every input's gradient), with and without initial
 * states, in both gate layouts, on strided inputs, in reverse and with padded sequences; the SPI's
 * composed default against the CPU kernel (the same bits); the gradient checker; errors.
 */
class FusedRecurrentTest {

    /** dim, B, H, with hh, with c, strided gates. */
    static Stream<Arguments> cells() {
        return Stream.of(
                Arguments.of(0, 3, 5, true, true, false),
                Arguments.of(0, 32, 16, false, true, true),
                Arguments.of(-1, 4, 7, true, false, false),
                Arguments.of(1, 2, 130, true, true, true),
                Arguments.of(-1, 1, 600, false, false, false),
                Arguments.of(0, 700, 2, true, true, false));
    }

    @ParameterizedTest(name = "dim={0} B={1} H={2} hh={3} c={4} strided={5}")
    @MethodSource("cells")
    void cellMatchesTheEquations(int dim, int b, int h, boolean withHh, boolean withC, boolean strided) {
        int[] gateShape = dim == 0 ? new int[] {4 * h, b} : new int[] {b, 4 * h};
        int[] stateShape = dim == 0 ? new int[] {h, b} : new int[] {b, h};
        Tensor gates = input(1, strided, gateShape);
        Tensor hh = withHh ? input(2, strided, gateShape) : null;
        Tensor c = withC ? Checks.randn(3, stateShape) : null;
        Tensor wh = Checks.randn(4, stateShape);
        Tensor wc = Checks.randn(5, stateShape);

        Tensor[] fused = leaves(gates, hh, c);
        Tensor[] out = FusedRecurrent.lstmCell(fused[0], fused[1], fused[2], dim);
        out[0].mul(wh).sum().add(out[1].mul(wc).sum()).backward();

        Tensor[] ref = leaves(gates, hh, c);
        Tensor[] expected = cellByOps(ref[0], ref[1], ref[2], h, dim);
        expected[0].mul(wh).sum().add(expected[1].mul(wc).sum()).backward();

        assertArrayEquals(stateShape, out[0].shape());
        assertArrayEquals(stateShape, out[1].shape());
        assertClose("h", expected[0], out[0]);
        assertClose("c", expected[1], out[1]);
        for (int i = 0; i < 3; i++) {
            if (ref[i] != null) {
                assertClose("grad of input " + i, ref[i].grad(), fused[i].grad());
            }
        }
    }

    @Test
    void composedCellDefaultGivesTheCpuKernelsBits() {
        // [4, R, C] gate views with rows far apart, as a step of a sequence sees them.
        int r = 37;
        int cols = 19;
        int ld = 3 * cols;
        float[][] results = new float[2][];
        for (int impl = 0; impl < 2; impl++) {
            Backend be = impl == 0 ? ComposedOnly.over(TestDevice.cpuBackend()) : TestDevice.cpuBackend();
            View gates = strided(be, Checks.randn(11, 4 * r, ld).toFloatArray(), r, cols, ld);
            View hh = strided(be, Checks.randn(12, 4 * r, ld).toFloatArray(), r, cols, ld);
            View c = ComposedOnly.view(be, Checks.randn(13, r, cols).toFloatArray(), r, cols);
            View act = ComposedOnly.zeros(be, DType.FLOAT32, 4, r, cols);
            View h = ComposedOnly.zeros(be, DType.FLOAT32, r, cols);
            View cNext = ComposedOnly.zeros(be, DType.FLOAT32, r, cols);
            be.lstmCell(gates, hh, c, act, h, cNext);
            View gh = ComposedOnly.view(be, Checks.randn(14, r, cols).toFloatArray(), r, cols);
            View gc = ComposedOnly.view(be, Checks.randn(15, r, cols).toFloatArray(), r, cols);
            View gGates = ComposedOnly.zeros(be, DType.FLOAT32, 4, r, cols);
            View gC = ComposedOnly.zeros(be, DType.FLOAT32, r, cols);
            be.lstmCellBackward(act, c, cNext, gh, gc, gGates, gC);
            View gGatesNoC = ComposedOnly.zeros(be, DType.FLOAT32, 4, r, cols);
            be.lstmCellBackward(act, null, cNext, gh, gc, gGatesNoC, null);
            results[impl] = concat(be.readFloats(act), be.readFloats(h), be.readFloats(cNext), be.readFloats(gGates),
                    be.readFloats(gC), be.readFloats(gGatesNoC));
        }
        assertArrayEquals(results[0], results[1]);
    }

    /** T, B, H, with h0 and c0, reverse, lengths (null: none). */
    static Stream<Arguments> sequences() {
        return Stream.of(
                Arguments.of(1, 1, 1, false, false, null),
                Arguments.of(5, 3, 4, false, false, null),
                Arguments.of(6, 2, 8, true, false, null),
                Arguments.of(4, 3, 5, true, true, null),
                Arguments.of(7, 4, 3, false, false, new int[] {7, 3, 0, 5}),
                Arguments.of(5, 3, 6, true, true, new int[] {2, 5, 1}),
                Arguments.of(3, 33, 17, true, false, null));
    }

    @ParameterizedTest(name = "T={0} B={1} H={2} states={3} reverse={4}")
    @MethodSource("sequences")
    void sequenceMatchesAStepByStepLoop(int steps, int b, int h, boolean withStates, boolean reverse, int[] lengths) {
        Tensor xp = Checks.randn(21, 4 * h, steps * b);
        Tensor whh = Checks.randn(22, 4 * h, h).mul(0.5f);
        Tensor h0 = withStates ? Checks.randn(23, h, b) : null;
        Tensor c0 = withStates ? Checks.randn(24, h, b) : null;
        Tensor[] weights = {Checks.randn(25, h, steps * b), Checks.randn(26, h, b), Checks.randn(27, h, b)};

        Tensor[] fused = leaves(xp, whh, h0, c0);
        Tensor[] out = FusedRecurrent.lstmSequence(fused[0], fused[1], fused[2], fused[3], b, reverse, lengths);
        weighted(out, weights).backward();

        Tensor[] ref = leaves(xp, whh, h0, c0);
        Tensor[] expected = sequenceByOps(ref[0], ref[1], ref[2], ref[3], b, h, reverse, lengths);
        weighted(expected, weights).backward();

        String[] names = {"output", "final h", "final c"};
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(expected[i].shape(), out[i].shape(), names[i]);
            assertClose(names[i], expected[i], out[i]);
        }
        String[] inputs = {"xp", "whh", "h0", "c0"};
        for (int i = 0; i < 4; i++) {
            if (ref[i] != null) {
                assertClose("grad " + inputs[i], ref[i].grad(), fused[i].grad());
            }
        }
    }

    @Test
    void paddedStepsOutputExactZerosAndKeepTheStateEvenWhenTheirInputIsNotFinite() {
        int steps = 4;
        int b = 2;
        int h = 3;
        float[] x = Checks.randn(31, 4 * h, steps * b).toFloatArray();
        for (int row = 0; row < 4 * h; row++) {
            x[row * steps * b + 3 * b + 1] = Float.NaN; // step 3 of sequence 1, which has 3 steps
        }
        Tensor xp = Checks.tensor(x, 4 * h, steps * b).requiresGrad(true);
        Tensor whh = Checks.randn(32, 4 * h, h).requiresGrad(true);
        Tensor[] out = FusedRecurrent.lstmSequence(xp, whh, null, null, b, false, new int[] {4, 3});
        float[] o = out[0].toFloatArray();
        for (int row = 0; row < h; row++) {
            assertEquals(0f, o[row * steps * b + 3 * b + 1], "padded output, row " + row);
            assertEquals(o[row * steps * b + 2 * b + 1], out[1].toFloatArray()[row * b + 1], "final h = last real step");
        }
        out[0].sum().add(out[1].sum()).add(out[2].sum()).backward();
        for (float v : whh.grad().toFloatArray()) {
            assertTrue(Float.isFinite(v), "whh's gradient must not see the padded NaN");
        }
    }

    @Test
    @CpuOnly("reads the CPU backend's array pool")
    void whatOnlyBackwardReadsGoesBackToThePoolWhenBackwardFreesTheGraph() {
        // hidden 37, batch 3, 11 steps: lengths no other test's arrays have.
        int steps = 11;
        int b = 3;
        int h = 37;
        Tensor xp = Checks.randn(91, 4 * h, steps * b).requiresGrad(true);
        Tensor whh = Checks.randn(92, 4 * h, h).requiresGrad(true);
        Tensor[] out = FusedRecurrent.lstmSequence(xp, whh, null, null, b, false, null);
        long before = Device.cpu().memoryStats().bytesCached();
        out[0].sum().backward();
        long after = Device.cpu().memoryStats().bytesCached();
        // Gate activations [11, 148, 3], cell states before and after each step [11, 37, 3], states [37, 33].
        long kept = 4L * (steps * 4 * h * b + 3L * steps * h * b);
        assertTrue(after >= before + kept, "pooled once the graph is freed: " + before + " -> " + after);
    }

    @Test
    void gradientsPassTheChecker() {
        GradCheck.assertGradients(in -> {
            Tensor[] hc = FusedRecurrent.lstmCell(in[0], in[1], in[2], 0);
            return hc[0].add(hc[1].mul(0.5f));
        }, Checks.randn(41, 8, 3), Checks.randn(42, 8, 3), Checks.randn(43, 2, 3));
        GradCheck.assertGradients(in -> {
            Tensor[] r = FusedRecurrent.lstmSequence(in[0], in[1], in[2], in[3], 2, true, new int[] {3, 2});
            return r[0].sum().add(r[1].mul(2f).sum()).add(r[2].sum());
        }, Checks.randn(44, 8, 6), Checks.randn(45, 8, 2).mul(0.5f), Checks.randn(46, 2, 2), Checks.randn(47, 2, 2));
    }

    @Test
    void badShapesAreNamed() {
        Tensor gates = Checks.randn(51, 8, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FusedRecurrent.lstmCell(gates, null, Checks.randn(52, 3, 2), 0));
        assertEquals("lstmCell: c of shape [3, 2] must be [2, 3] for gates of shape [8, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedRecurrent.lstmCell(Checks.randn(53, 7, 3), null, null, 0));
        assertTrue(e.getMessage().startsWith("lstmCell: gates of shape [7, 3] must be [4H, B]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedRecurrent.lstmCell(gates, null, null, 2));
        assertEquals("lstmCell: dim must be 0, 1 or -1, got 2", e.getMessage());
        Tensor whh = Checks.randn(54, 8, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> FusedRecurrent.lstmSequence(Checks.randn(55, 8, 7), whh, null, null, 2, false, null));
        assertTrue(e.getMessage().startsWith("lstmSequence: xp of shape [8, 7] must be [8, T * 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FusedRecurrent.lstmSequence(Checks.randn(56, 8, 6), whh, null, null, 2, false, new int[] {3, 4}));
        assertEquals("lstmSequence: length 4 of sequence 1 is outside [0, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FusedRecurrent.lstmSequence(Checks.randn(57, 8, 6), whh, Checks.randn(58, 2, 3), null, 2, false, null));
        assertEquals("lstmSequence: h0 of shape [2, 3] must be [2, 2] for xp of shape [8, 6]", e.getMessage());
    }

    /** The cell with plain ops: slices, sigmoid, tanh, mul, add. */
    private static Tensor[] cellByOps(Tensor gates, Tensor hh, Tensor c, int h, int dim) {
        Tensor pre = hh == null ? gates : gates.add(hh);
        Tensor i = pre.slice(dim, 0, h).sigmoid();
        Tensor f = pre.slice(dim, h, 2 * h).sigmoid();
        Tensor g = pre.slice(dim, 2 * h, 3 * h).tanh();
        Tensor o = pre.slice(dim, 3 * h, 4 * h).sigmoid();
        Tensor cNext = c == null ? i.mul(g) : f.mul(c).add(i.mul(g));
        return new Tensor[] {o.mul(cNext.tanh()), cNext};
    }

    /** The sequence as a loop of plain ops, padded steps by {@code where}. */
    private static Tensor[] sequenceByOps(Tensor xp, Tensor whh, Tensor h0, Tensor c0, int b, int hidden, boolean reverse,
            int[] lengths) {
        int steps = xp.size(1) / b;
        Tensor h = h0 == null ? Tensor.zeros(xp.device(), hidden, b) : h0;
        Tensor c = c0 == null ? Tensor.zeros(xp.device(), hidden, b) : c0;
        Tensor zero = Tensor.zeros(xp.device(), hidden, b);
        Tensor[] outs = new Tensor[steps];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            Tensor[] hc = cellByOps(xp.slice(1, t * b, (t + 1) * b).add(whh.matmul(h)), null, c, hidden, 0);
            if (lengths == null) {
                outs[t] = hc[0];
                h = hc[0];
                c = hc[1];
            } else {
                float[] m = new float[b];
                for (int k = 0; k < b; k++) {
                    m[k] = t < lengths[k] ? 1f : 0f;
                }
                Tensor mask = Checks.tensor(m, 1, b);
                outs[t] = Tensor.where(mask, hc[0], zero);
                h = Tensor.where(mask, hc[0], h);
                c = Tensor.where(mask, hc[1], c);
            }
        }
        List<Tensor> all = new ArrayList<>(List.of(outs));
        return new Tensor[] {Tensor.cat(all, 1), h, c};
    }

    static Tensor weighted(Tensor[] outs, Tensor[] weights) {
        Tensor sum = outs[0].mul(weights[0]).sum();
        for (int i = 1; i < outs.length; i++) {
            sum = sum.add(outs[i].mul(weights[i]).sum());
        }
        return sum;
    }

    /** Random values, or the same values as a transposed (strided) view. */
    static Tensor input(long seed, boolean strided, int[] shape) {
        if (!strided) {
            return Checks.randn(seed, shape);
        }
        return Checks.randn(seed, shape[1], shape[0]).t();
    }

    /** Gates {@code [4, r, cols]} taken from a {@code [4r, ld]} matrix: rows {@code ld} apart. */
    static View strided(Backend be, float[] data, int r, int cols, int ld) {
        return new View(be.upload(data), new int[] {4, r, cols}, new int[] {r * ld, ld, 1}, 1);
    }

    static Tensor[] leaves(Tensor... ts) {
        Tensor[] out = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            out[i] = ts[i] == null ? null : ts[i].detach().requiresGrad(true);
        }
        return out;
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static void assertClose(String what, Tensor expected, Tensor actual) {
        float[] x = expected.toFloatArray();
        float[] y = actual.toFloatArray();
        assertEquals(x.length, y.length, what + ": length");
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 2e-5 + 2e-4 * Math.abs(x[i]), what + ": element " + i);
        }
    }
}
