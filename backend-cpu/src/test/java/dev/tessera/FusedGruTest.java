package dev.tessera;

import static dev.tessera.FusedRecurrentTest.assertClose;
import static dev.tessera.FusedRecurrentTest.concat;
import static dev.tessera.FusedRecurrentTest.input;
import static dev.tessera.FusedRecurrentTest.leaves;
import static dev.tessera.FusedRecurrentTest.weighted;
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
 * {@link FusedRecurrent}'s GRU ops: the cell and the sequence op against PyTorch's GRU equations
 * written with plain tensor ops (values and every input's gradient), with and without a previous
 * state and the hidden-side bias, in both gate layouts, in reverse and with padded sequences; the
 * SPI's composed default against the CPU kernel (the same bits); the gradient checker; errors.
 */
class FusedGruTest {

    /** dim, B, H, with hg, with h, strided gates. */
    static Stream<Arguments> cells() {
        return Stream.of(
                Arguments.of(0, 3, 5, true, true, false),
                Arguments.of(0, 32, 16, false, true, true),
                Arguments.of(-1, 4, 7, true, false, false),
                Arguments.of(1, 2, 130, true, true, true),
                Arguments.of(-1, 1, 600, false, false, false));
    }

    @ParameterizedTest(name = "dim={0} B={1} H={2} hg={3} h={4} strided={5}")
    @MethodSource("cells")
    void cellMatchesTheEquations(int dim, int b, int hidden, boolean withHg, boolean withH, boolean strided) {
        int[] gateShape = dim == 0 ? new int[] {3 * hidden, b} : new int[] {b, 3 * hidden};
        int[] stateShape = dim == 0 ? new int[] {hidden, b} : new int[] {b, hidden};
        Tensor xg = input(1, strided, gateShape);
        Tensor hg = withHg ? input(2, strided, gateShape) : null;
        Tensor h = withH ? Checks.randn(3, stateShape) : null;
        Tensor w = Checks.randn(4, stateShape);

        Tensor[] fused = leaves(xg, hg, h);
        Tensor out = FusedRecurrent.gruCell(fused[0], fused[1], fused[2], dim);
        out.mul(w).sum().backward();
        Tensor[] ref = leaves(xg, hg, h);
        Tensor expected = cellByOps(ref[0], ref[1], ref[2], hidden, dim);
        expected.mul(w).sum().backward();

        assertArrayEquals(stateShape, out.shape());
        assertClose("h'", expected, out);
        for (int i = 0; i < 3; i++) {
            if (ref[i] != null) {
                assertClose("grad of input " + i, ref[i].grad(), fused[i].grad());
            }
        }
    }

    @Test
    void composedCellDefaultGivesTheCpuKernelsBits() {
        int r = 37;
        int cols = 19;
        int ld = 3 * cols;
        float[][] results = new float[2][];
        for (int impl = 0; impl < 2; impl++) {
            Backend be = impl == 0 ? ComposedOnly.over(TestDevice.cpuBackend()) : TestDevice.cpuBackend();
            View xg = gates(be, Checks.randn(11, 3 * r, ld).toFloatArray(), r, cols, ld);
            View hg = gates(be, Checks.randn(12, 3 * r, ld).toFloatArray(), r, cols, ld);
            View h = ComposedOnly.view(be, Checks.randn(13, r, cols).toFloatArray(), r, cols);
            View act = ComposedOnly.zeros(be, DType.FLOAT32, 4, r, cols);
            View out = ComposedOnly.zeros(be, DType.FLOAT32, r, cols);
            be.gruCell(xg, hg, h, act, out);
            View actNoState = ComposedOnly.zeros(be, DType.FLOAT32, 4, r, cols);
            View outNoState = ComposedOnly.zeros(be, DType.FLOAT32, r, cols);
            be.gruCell(xg, null, null, actNoState, outNoState);
            View gh = ComposedOnly.view(be, Checks.randn(14, r, cols).toFloatArray(), r, cols);
            View gXg = ComposedOnly.zeros(be, DType.FLOAT32, 3, r, cols);
            View gHg = ComposedOnly.zeros(be, DType.FLOAT32, 3, r, cols);
            View gH = ComposedOnly.zeros(be, DType.FLOAT32, r, cols);
            be.gruCellBackward(act, h, gh, gXg, gHg, gH);
            View gXgNoState = ComposedOnly.zeros(be, DType.FLOAT32, 3, r, cols);
            be.gruCellBackward(actNoState, null, gh, gXgNoState, ComposedOnly.zeros(be, DType.FLOAT32, 3, r, cols), null);
            results[impl] = concat(be.readFloats(act), be.readFloats(out), be.readFloats(actNoState),
                    be.readFloats(outNoState), be.readFloats(gXg), be.readFloats(gHg), be.readFloats(gH),
                    be.readFloats(gXgNoState));
        }
        assertArrayEquals(results[0], results[1]);
    }

    /** T, B, H, with h0 and b_hn, reverse, lengths (null: none). */
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

    @ParameterizedTest(name = "T={0} B={1} H={2} h0,bhn={3} reverse={4}")
    @MethodSource("sequences")
    void sequenceMatchesAStepByStepLoop(int steps, int b, int hidden, boolean withState, boolean reverse,
            int[] lengths) {
        Tensor xp = Checks.randn(21, 3 * hidden, steps * b);
        Tensor whh = Checks.randn(22, 3 * hidden, hidden).mul(0.5f);
        Tensor bhn = withState ? Checks.randn(23, hidden) : null;
        Tensor h0 = withState ? Checks.randn(24, hidden, b) : null;
        Tensor[] weights = {Checks.randn(25, hidden, steps * b), Checks.randn(26, hidden, b)};

        Tensor[] fused = leaves(xp, whh, bhn, h0);
        Tensor[] out = FusedRecurrent.gruSequence(fused[0], fused[1], fused[2], fused[3], b, reverse, lengths);
        weighted(out, weights).backward();
        Tensor[] ref = leaves(xp, whh, bhn, h0);
        Tensor[] expected = sequenceByOps(ref[0], ref[1], ref[2], ref[3], b, hidden, reverse, lengths);
        weighted(expected, weights).backward();

        String[] names = {"output", "final h"};
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(expected[i].shape(), out[i].shape(), names[i]);
            assertClose(names[i], expected[i], out[i]);
        }
        String[] inputs = {"xp", "whh", "bhn", "h0"};
        for (int i = 0; i < 4; i++) {
            if (ref[i] != null) {
                assertClose("grad " + inputs[i], ref[i].grad(), fused[i].grad());
            }
        }
    }

    @Test
    void gradientsPassTheChecker() {
        GradCheck.assertGradients(in -> FusedRecurrent.gruCell(in[0], in[1], in[2], -1),
                Checks.randn(41, 3, 6), Checks.randn(42, 3, 6), Checks.randn(43, 3, 2));
        GradCheck.assertGradients(in -> {
            Tensor[] r = FusedRecurrent.gruSequence(in[0], in[1], in[2], in[3], 2, true, new int[] {3, 2});
            return r[0].sum().add(r[1].mul(2f).sum());
        }, Checks.randn(44, 6, 6), Checks.randn(45, 6, 2).mul(0.5f), Checks.randn(46, 2), Checks.randn(47, 2, 2));
    }

    @Test
    void paddedStepsKeepNotFiniteInputOutOfTheGradients() {
        int steps = 4;
        int b = 2;
        int hidden = 3;
        float[] x = Checks.randn(31, 3 * hidden, steps * b).toFloatArray();
        for (int row = 0; row < 3 * hidden; row++) {
            x[row * steps * b + 3 * b + 1] = Float.NaN; // step 3 of sequence 1, which has 3 steps
        }
        Tensor xp = Checks.tensor(x, 3 * hidden, steps * b).requiresGrad(true);
        Tensor whh = Checks.randn(32, 3 * hidden, hidden).requiresGrad(true);
        Tensor h0 = Checks.randn(33, hidden, b).requiresGrad(true);
        Tensor[] out = FusedRecurrent.gruSequence(xp, whh, null, h0, b, false, new int[] {4, 3});
        out[0].sum().add(out[1].sum()).backward();
        for (Tensor t : new Tensor[] {whh.grad(), h0.grad(), out[0], out[1]}) {
            for (float v : t.toFloatArray()) {
                assertTrue(Float.isFinite(v), "the padded NaN leaked");
            }
        }
    }

    @Test
    void badShapesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FusedRecurrent.gruCell(Checks.randn(51, 2, 9), null, Checks.randn(52, 3, 2), -1));
        assertEquals("gruCell: h of shape [3, 2] must be [2, 3] for gates of shape [2, 9]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FusedRecurrent.gruCell(Checks.randn(53, 2, 8), null, null, -1));
        assertTrue(e.getMessage().startsWith("gruCell: gates of shape [2, 8] must be [B, 3H]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedRecurrent.gruSequence(Checks.randn(54, 6, 4),
                Checks.randn(55, 8, 2), null, null, 2, false, null));
        assertEquals("gruSequence: whh of shape [8, 2] must be [3H, H]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FusedRecurrent.gruSequence(Checks.randn(56, 6, 4),
                Checks.randn(57, 6, 2), Checks.randn(58, 3), null, 2, false, null));
        assertEquals("gruSequence: bhn of shape [3] must be [2] for xp of shape [6, 4]", e.getMessage());
    }

    /** PyTorch's GRU cell with plain ops. */
    private static Tensor cellByOps(Tensor xg, Tensor hg, Tensor h, int hidden, int dim) {
        Tensor r = (hg == null ? xg.slice(dim, 0, hidden) : xg.slice(dim, 0, hidden).add(hg.slice(dim, 0, hidden))).sigmoid();
        Tensor z = (hg == null ? xg.slice(dim, hidden, 2 * hidden)
                : xg.slice(dim, hidden, 2 * hidden).add(hg.slice(dim, hidden, 2 * hidden))).sigmoid();
        Tensor xn = xg.slice(dim, 2 * hidden, 3 * hidden);
        Tensor n = (hg == null ? xn : xn.add(r.mul(hg.slice(dim, 2 * hidden, 3 * hidden)))).tanh();
        Tensor one = Tensor.scalar(xg.device(), 1f);
        Tensor keep = h == null ? n.mul(0f) : z.mul(h);
        return one.sub(z).mul(n).add(keep);
    }

    /** The sequence as a loop of plain ops, padded steps by {@code where}. */
    private static Tensor[] sequenceByOps(Tensor xp, Tensor whh, Tensor bhn, Tensor h0, int b, int hidden,
            boolean reverse, int[] lengths) {
        int steps = xp.size(1) / b;
        Tensor h = h0 == null ? Tensor.zeros(xp.device(), hidden, b) : h0;
        Tensor zero = Tensor.zeros(xp.device(), hidden, b);
        Tensor bias = bhn == null ? Tensor.zeros(xp.device(), 3 * hidden, 1)
                : Tensor.cat(List.of(Tensor.zeros(xp.device(), 2 * hidden), bhn), 0).unsqueeze(1);
        Tensor[] outs = new Tensor[steps];
        for (int s = 0; s < steps; s++) {
            int t = reverse ? steps - 1 - s : s;
            Tensor hNext = cellByOps(xp.slice(1, t * b, (t + 1) * b), whh.matmul(h).add(bias), h, hidden, 0);
            if (lengths == null) {
                outs[t] = hNext;
                h = hNext;
            } else {
                float[] m = new float[b];
                for (int k = 0; k < b; k++) {
                    m[k] = t < lengths[k] ? 1f : 0f;
                }
                Tensor mask = Checks.tensor(m, 1, b);
                outs[t] = Tensor.where(mask, hNext, zero);
                h = Tensor.where(mask, hNext, h);
            }
        }
        return new Tensor[] {Tensor.cat(new ArrayList<>(List.of(outs)), 1), h};
    }

    /** Gates {@code [3, r, cols]} taken from a {@code [3r, ld]} matrix: rows {@code ld} apart. */
    private static View gates(Backend be, float[] data, int r, int cols, int ld) {
        return new View(be.upload(data), new int[] {3, r, cols}, new int[] {r * ld, ld, 1}, 1);
    }
}
