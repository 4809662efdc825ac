package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Oracle.Nd;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Reductions against the {@link Oracle}: sum/mean over everything and per dimension (keepDim true
 * and false, negative dims), biased and unbiased variance, max/min (all and per dim), argmax/argmin
 * (INT32, the first index on ties), on contiguous, transposed, stepped and expanded inputs, and on
 * a 200x300x3 tensor reduced over each dimension (above the multithreading threshold).
 */
class ReductionTest {
    private static final double SUM_RTOL = 1e-5;
    private static final double SUM_ATOL = 1e-4;

    static Stream<Arguments> dimsAndKeep() {
        List<Arguments> cases = new ArrayList<>();
        for (int d = -3; d < 3; d++) {
            cases.add(Arguments.of(d, true));
            cases.add(Arguments.of(d, false));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "dim {0} keepDim {1}")
    @MethodSource("dimsAndKeep")
    void perDimReductionsOf3d(int dim, boolean keep) {
        float[] a = Checks.distinct(71, 2 * 3 * 4);
        Nd x = Oracle.nd(a, 2, 3, 4);
        Tensor t = Tensor.of(a, 2, 3, 4);
        int d = dim < 0 ? dim + 3 : dim;
        assertClose("sum", Oracle.reduce(x, d, keep, Oracle::sum), t.sum(dim, keep), SUM_RTOL, SUM_ATOL);
        assertClose("mean", Oracle.reduce(x, d, keep, Oracle::mean), t.mean(dim, keep), SUM_RTOL, SUM_ATOL);
        assertClose("var", Oracle.reduce(x, d, keep, v -> Oracle.var(v, false)), t.var(dim, keep, false), SUM_RTOL, SUM_ATOL);
        assertClose("var unbiased", Oracle.reduce(x, d, keep, v -> Oracle.var(v, true)), t.var(dim, keep, true),
                SUM_RTOL, SUM_ATOL);
        assertClose("max", Oracle.reduce(x, d, keep, Oracle::max), t.max(dim, keep), 0, 0);
        assertClose("min", Oracle.reduce(x, d, keep, Oracle::min), t.min(dim, keep), 0, 0);
        Tensor am = t.argmax(dim, keep);
        assertEquals(DType.INT32, am.dtype());
        assertClose("argmax", Oracle.reduce(x, d, keep, v -> Oracle.argmax(v)), am.to(DType.FLOAT32), 0, 0);
        if (!keep) {
            Tensor an = t.argmin(dim);
            assertEquals(DType.INT32, an.dtype());
            assertClose("argmin", Oracle.reduce(x, d, false, v -> Oracle.argmin(v)), an.to(DType.FLOAT32), 0, 0);
            assertArrayEquals(am.toIntArray(), t.argmax(dim).toIntArray());
        }
    }

    @Test
    void reduceAll() {
        float[] a = Checks.distinct(72, 24);
        Nd x = Oracle.nd(a, 24);
        Tensor t = Tensor.of(a, 2, 3, 4);
        Tensor s = t.sum();
        assertEquals(0, s.dim());
        assertEquals(Oracle.sum(x.v()), s.item(), 1e-4);
        assertEquals(0, t.mean().dim());
        assertEquals(Oracle.mean(x.v()), t.mean().item(), 1e-5);
        assertEquals(0, t.max().dim());
        assertEquals((float) Oracle.max(x.v()), t.max().item());
        assertEquals((float) Oracle.min(x.v()), t.min().item());
    }

    @Test
    void knownSmallValues() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {5, 7, 9}, t.sum(0, false).toFloatArray());
        assertArrayEquals(new float[] {6, 15}, t.sum(1, false).toFloatArray());
        assertArrayEquals(new int[] {2, 1}, t.sum(1, true).shape());
        assertArrayEquals(new float[] {2.5f, 3.5f, 4.5f}, t.mean(0, false).toFloatArray());
        assertEquals(21f, t.sum().item());
        assertEquals(3.5f, t.mean().item());
        assertArrayEquals(new float[] {1, 1}, t.var(1, false, true).toFloatArray());
        assertArrayEquals(new float[] {2f / 3, 2f / 3}, t.var(1, false, false).toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {4, 5, 6}, t.max(0, false).toFloatArray());
        assertArrayEquals(new float[] {1, 4}, t.min(1, false).toFloatArray());
    }

    @Test
    void argmaxAndMaxTakeTheFirstOfTies() {
        Tensor t = Tensor.of(new float[] {3, 1, 3, 2, 2, 0, 5, 5, 5}, 3, 3);
        assertArrayEquals(new int[] {0, 0, 0}, t.argmax(1).toIntArray());
        assertArrayEquals(new int[] {1, 2, 0}, t.argmin(1).toIntArray());
        assertArrayEquals(new int[] {2, 2, 2}, t.argmax(0).toIntArray());
        assertArrayEquals(new int[] {1, 0, 1}, t.argmin(0).toIntArray());
        Tensor flat = Tensor.of(new float[] {7, 7, 7, 7});
        assertArrayEquals(new int[] {0}, flat.argmax(0, true).toIntArray());
        assertArrayEquals(new int[] {1}, flat.argmax(0, true).shape());
        // the gradient of max goes to the first maximum only
        Tensor x = Tensor.of(new float[] {1, 4, 4, 2}).requiresGrad(true);
        x.max(0, false).backward();
        assertArrayEquals(new float[] {0, 1, 0, 0}, x.grad().toFloatArray());
        Tensor y = Tensor.of(new float[] {1, 4, 4, 2}).requiresGrad(true);
        y.max().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0}, y.grad().toFloatArray());
    }

    @Test
    void argmaxWithNegativeValuesAndLargeRows() {
        Tensor t = Tensor.of(new float[] {-5, -2, -9, -2}, 1, 4);
        assertArrayEquals(new int[] {1}, t.argmax(1).toIntArray());
        assertArrayEquals(new int[] {2}, t.argmin(-1).toIntArray());
    }

    @Test
    void reductionsOfScalarsAndSingletons() {
        Tensor s = Tensor.scalar(3f);
        assertEquals(3f, s.sum().item());
        assertEquals(3f, s.sum(0, false).item());
        assertEquals(3f, s.mean().item());
        assertEquals(3f, s.max().item());
        assertEquals(0, s.argmax(0).dim());
        assertEquals(0, s.argmax(0).toIntArray()[0]);
        Tensor one = Tensor.of(new float[] {2f}, 1, 1);
        assertArrayEquals(new int[] {1}, one.sum(0, false).shape());
        assertArrayEquals(new float[] {0f}, one.var(1, false, false).toFloatArray());
    }

    @Test
    void sumOfEmptyDimIsZero() {
        Tensor e = Tensor.zeros(0, 3);
        assertArrayEquals(new float[] {0, 0, 0}, e.sum(0, false).toFloatArray());
        assertEquals(0f, e.sum().item());
    }

    @Test
    void intSumStaysInt() {
        Tensor t = Tensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2);
        Tensor s = t.sum(0, false);
        assertEquals(DType.INT32, s.dtype());
        assertArrayEquals(new int[] {4, 6}, s.toIntArray());
        assertArrayEquals(new int[] {1, 1}, t.argmax(1).toIntArray());
    }

    @Test
    void nonContiguousInputs() {
        float[] a = Checks.distinct(73, 60);
        Nd base = Oracle.nd(a, 5, 12);
        Tensor t = Tensor.of(a, 5, 12);
        // transposed
        Nd nt = Oracle.transpose(base, 0, 1);
        Tensor tt = t.t();
        for (int d = 0; d < 2; d++) {
            assertClose("sum of transposed", Oracle.reduce(nt, d, false, Oracle::sum), tt.sum(d, false), SUM_RTOL, SUM_ATOL);
            assertClose("max of transposed", Oracle.reduce(nt, d, true, Oracle::max), tt.max(d, true), 0, 0);
            assertClose("argmin of transposed", Oracle.reduce(nt, d, false, v -> Oracle.argmin(v)),
                    tt.argmin(d).to(DType.FLOAT32), 0, 0);
            assertClose("var of transposed", Oracle.reduce(nt, d, false, v -> Oracle.var(v, true)),
                    tt.var(d, false, true), SUM_RTOL, SUM_ATOL);
        }
        assertEquals(Oracle.sum(nt.v()), tt.sum().item(), 1e-4);
        // stepped slice with an offset
        Nd ns = Oracle.slice(Oracle.slice(base, 1, 1, 12, 3), 0, 1, 5, 2);
        Tensor ts = t.slice(1, 1, 12, 3).slice(0, 1, 5, 2);
        for (int d = 0; d < 2; d++) {
            assertClose("mean of slice", Oracle.reduce(ns, d, true, Oracle::mean), ts.mean(d, true), SUM_RTOL, SUM_ATOL);
            assertClose("argmax of slice", Oracle.reduce(ns, d, false, v -> Oracle.argmax(v)), ts.argmax(d).to(DType.FLOAT32), 0, 0);
        }
        assertEquals(Oracle.sum(ns.v()), ts.sum().item(), 1e-4);
        assertEquals((float) Oracle.max(ns.v()), ts.max().item());
        assertEquals((float) Oracle.min(ns.v()), ts.min().item());
        // expanded
        float[] r = Checks.distinct(74, 4);
        Tensor te = Tensor.of(r, 4, 1).expand(4, 6);
        Nd ne = Oracle.expand(Oracle.nd(r, 4, 1), 4, 6);
        assertClose("sum of expanded", Oracle.reduce(ne, 1, false, Oracle::sum), te.sum(1, false), SUM_RTOL, SUM_ATOL);
        assertClose("sum of expanded", Oracle.reduce(ne, 0, false, Oracle::sum), te.sum(0, false), SUM_RTOL, SUM_ATOL);
        assertEquals(Oracle.sum(ne.v()), te.sum().item(), 1e-4);
        assertEquals(Oracle.mean(ne.v()), te.mean().item(), 1e-5);
        assertArrayEquals(new int[] {0, 0, 0, 0}, te.argmax(1).toIntArray());
    }

    @Test
    void largeReductionsOverEachDim() {
        int[] shape = {200, 300, 3};
        float[] a = Checks.normal(75, 200 * 300 * 3);
        Nd x = Oracle.nd(a, shape);
        Tensor t = Tensor.of(a, shape);
        for (int d = 0; d < 3; d++) {
            String at = " over dim " + d;
            assertClose("sum" + at, Oracle.reduce(x, d, false, Oracle::sum), t.sum(d, false), 1e-4, 1e-4);
            assertClose("mean" + at, Oracle.reduce(x, d, true, Oracle::mean), t.mean(d, true), 1e-4, 1e-5);
            assertClose("var" + at, Oracle.reduce(x, d, false, v -> Oracle.var(v, true)), t.var(d, false, true), 1e-4, 1e-5);
            assertClose("max" + at, Oracle.reduce(x, d, false, Oracle::max), t.max(d, false), 0, 0);
            assertClose("min" + at, Oracle.reduce(x, d, false, Oracle::min), t.min(d, false), 0, 0);
            assertClose("argmax" + at, Oracle.reduce(x, d, false, v -> Oracle.argmax(v)), t.argmax(d).to(DType.FLOAT32), 0, 0);
            assertClose("argmin" + at, Oracle.reduce(x, d, false, v -> Oracle.argmin(v)), t.argmin(d).to(DType.FLOAT32), 0, 0);
        }
        assertEquals(Oracle.sum(x.v()), t.sum().item(), 1e-2);
        assertEquals(Oracle.max(x.v()), t.max().item(), 0);
        // a permuted large input: [3, 200, 300]
        Tensor p = t.permute(2, 0, 1);
        Nd np = Oracle.permute(x, 2, 0, 1);
        for (int d = 0; d < 3; d++) {
            assertClose("sum of permuted over dim " + d, Oracle.reduce(np, d, false, Oracle::sum), p.sum(d, false), 1e-4, 1e-4);
        }
    }

    @Test
    void largeRowSumIsAccurate() {
        // 1e6 copies of 0.1f: a float accumulator would drift by about 1%.
        int n = 1_000_000;
        float[] a = new float[n];
        java.util.Arrays.fill(a, 0.1f);
        double exact = n * (double) 0.1f;
        assertEquals(exact, Tensor.of(a).sum().item(), exact * 1e-6);
        assertEquals(exact, Tensor.of(a, 1000, 1000).sum(1, false).sum().item(), exact * 1e-5);
        float colSum = Tensor.of(a, 1000, 1000).sum(0, false).toFloatArray()[17];
        assertTrue(Math.abs(colSum - 1000 * (double) 0.1f) < 5e-3, "column sum " + colSum);
    }

    /**
     * The other reductions that sum a long line: mean (a sum, then a division) and softmax's sum of
     * exponentials. A float accumulator per line (or per work-item of a GPU's work-group) drifts by
     * ~1e-4 relative over a million terms; the CPU sums in double, a device must come close.
     */
    @Test
    void largeLineMeanAndSoftmaxAreAccurate() {
        int n = 1_000_000;
        float[] a = new float[n];
        java.util.Arrays.fill(a, 0.1f);
        double tenth = 0.1f;
        assertEquals(tenth, Tensor.of(a).mean().item(), tenth * 1e-6);
        assertEquals(tenth, Tensor.of(a, 1, n).mean(1, false).item(), tenth * 1e-6);
        assertEquals(tenth, Tensor.of(a, n, 1).mean(0, false).item(), tenth * 1e-6);
        // one 0 and n - 1 entries whose exponential is ~0.1: softmax's denominator is ~1e5
        float[] z = new float[n];
        java.util.Arrays.fill(z, (float) Math.log(0.1));
        z[0] = 0f;
        double denominator = 1 + (n - 1) * Math.exp(z[1]);
        float p0 = Tensor.of(z, 1, n).softmax(1).toFloatArray()[0];
        assertEquals(1 / denominator, p0, 1e-5 / denominator, "softmax of the largest entry");
        float l0 = Tensor.of(z, 1, n).logSoftmax(1).toFloatArray()[0];
        assertEquals(-Math.log(denominator), l0, 1e-5, "logSoftmax of the largest entry");
        float c0 = Tensor.of(z, n, 1).softmax(0).toFloatArray()[0];
        assertEquals(1 / denominator, c0, 1e-5 / denominator, "softmax of a column");
    }

    @Test
    void contiguousViewsWithAnOffset() {
        float[] a = Checks.distinct(76, 48);
        Nd x = Oracle.nd(a, 4, 12);
        Tensor t = Tensor.of(a, 4, 12);
        Tensor rows = t.slice(0, 2, 4); // contiguous, offset 24
        Nd nr = Oracle.slice(x, 0, 2, 4, 1);
        assertEquals(Oracle.sum(nr.v()), rows.sum().item(), 1e-4);
        assertEquals((float) Oracle.max(nr.v()), rows.max().item());
        assertClose(Oracle.reduce(nr, 1, false, Oracle::sum), rows.sum(1, false), SUM_RTOL, SUM_ATOL);
        assertClose(Oracle.reduce(nr, 0, false, Oracle::max), rows.max(0, false), 0, 0);
        assertClose(Oracle.reduce(nr, 1, false, v -> Oracle.argmin(v)), rows.argmin(1).to(DType.FLOAT32), 0, 0);
        Tensor row = t.select(0, 3); // 1-D, offset 36
        Nd n3 = Oracle.dropDim(Oracle.slice(x, 0, 3, 4, 1), 0);
        assertEquals(Oracle.mean(n3.v()), row.mean().item(), 1e-5);
        assertEquals(Oracle.argmax(n3.v()), row.argmax(0).toIntArray()[0]);
        assertClose(Oracle.softmax(nr, 1, false), rows.softmax(1));
    }

    @Test
    void maxPropagatesNaN() {
        Tensor t = Tensor.of(new float[] {1, Float.NaN, 3, 4, 5, 6}, 2, 3);
        float[] m = t.max(1, false).toFloatArray();
        assertTrue(Float.isNaN(m[0]), "max of a row with NaN");
        assertEquals(6f, m[1]);
        assertTrue(Float.isNaN(t.max().item()));
        assertTrue(Float.isNaN(t.sum().item()));
    }

    @Test
    void reducingAnEmptyDimension() {
        Tensor e = Tensor.zeros(0, 3);
        Checks.assertIae(() -> e.max(0, false), "[0, 3]");
        Checks.assertIae(() -> e.argmax(0), "argmax", "[0, 3]");
        Checks.assertIae(() -> Tensor.zeros(0).max(), "[0]");
        assertArrayEquals(new int[] {0}, e.sum(1, false).shape());
        assertArrayEquals(new int[] {0}, e.max(1, false).shape());
    }

    static Stream<Arguments> reductionsOfNothing() {
        Tensor e = Tensor.zeros(0, 3);
        Tensor empty3d = Tensor.zeros(2, 0, 4);
        return Stream.of(
                Arguments.of("max", (Runnable) () -> e.max(0, false), "[0, 3]"),
                Arguments.of("max", (Runnable) () -> e.max(-2, true), "[0, 3]"),
                Arguments.of("min", (Runnable) () -> e.min(0, false), "[0, 3]"),
                Arguments.of("min", (Runnable) () -> empty3d.min(1, true), "[2, 0, 4]"),
                Arguments.of("max", (Runnable) e::max, "[0, 3]"),
                Arguments.of("min", (Runnable) e::min, "[0, 3]"),
                Arguments.of("max", (Runnable) () -> Tensor.zeros(0).max(), "[0]"),
                Arguments.of("argmax", (Runnable) () -> e.argmax(0), "[0, 3]"),
                Arguments.of("argmax", (Runnable) () -> empty3d.argmax(1, true), "[2, 0, 4]"),
                Arguments.of("argmin", (Runnable) () -> e.argmin(0), "[0, 3]"),
                Arguments.of("max", (Runnable) () -> e.t().max(1, false), "[3, 0]"));
    }

    /** Reductions without a value for no elements name the op that was called, not the kernel behind it. */
    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("reductionsOfNothing")
    void reducingNothingNamesTheOp(String op, Runnable call, String shape) {
        String msg = Checks.assertIae(call::run, shape);
        assertTrue(msg.startsWith(op + ": "), "message '" + msg + "' does not start with '" + op + ": '");
    }
}
