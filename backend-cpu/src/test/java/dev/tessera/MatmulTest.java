package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static dev.tessera.Checks.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Oracle.Nd;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code matmul} against a triple-loop double-precision {@link Oracle#matmul}: every rank
 * combination PyTorch defines (1-D x 1-D, 1-D x 2-D, 2-D x 1-D, 2-D x 2-D, batched 3-D, broadcast
 * batch dims such as [2,1,3,4] x [5,4,2], [B,m,k] x [k,n], 1-D and 2-D against batched), operands
 * that are transposed, sliced with a step, permuted or expanded, and sizes large enough for the
 * backend to split the work.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class MatmulTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-4;

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(new int[] {5}, new int[] {5}),
                Arguments.of(new int[] {4}, new int[] {4, 3}),
                Arguments.of(new int[] {3, 4}, new int[] {4}),
                Arguments.of(new int[] {3, 4}, new int[] {4, 5}),
                Arguments.of(new int[] {1, 1}, new int[] {1, 1}),
                Arguments.of(new int[] {1, 7}, new int[] {7, 1}),
                Arguments.of(new int[] {7, 1}, new int[] {1, 6}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {2, 4, 5}),
                Arguments.of(new int[] {2, 1, 3, 4}, new int[] {5, 4, 2}),
                Arguments.of(new int[] {1, 3, 4}, new int[] {6, 4, 2}),
                Arguments.of(new int[] {6, 3, 4}, new int[] {1, 4, 2}),
                Arguments.of(new int[] {3, 2, 3, 4}, new int[] {4, 5}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {4, 5}),
                Arguments.of(new int[] {3, 4}, new int[] {2, 4, 5}),
                Arguments.of(new int[] {4}, new int[] {2, 4, 5}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {4}),
                Arguments.of(new int[] {2, 1, 2, 3}, new int[] {1, 3, 3, 2}));
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("shapes")
    void matchesOracle(int[] sa, int[] sb) {
        float[] a = Checks.normal(101, Oracle.numel(sa));
        float[] b = Checks.normal(102, Oracle.numel(sb));
        Nd expected = Oracle.matmul(Oracle.nd(a, sa), Oracle.nd(b, sb));
        Tensor out = Tensor.of(a, sa).matmul(Tensor.of(b, sb));
        assertClose(expected, out, RTOL, ATOL);
    }

    @Test
    void handComputedProducts() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertExact(new float[] {58, 64, 139, 154}, new int[] {2, 2}, a.matmul(b));
        Tensor dot = Tensor.of(new float[] {1, 2, 3}).matmul(Tensor.of(new float[] {4, 5, 6}));
        assertEquals(0, dot.dim());
        assertEquals(32f, dot.item());
        assertExact(new float[] {14, 32}, new int[] {2}, a.matmul(Tensor.of(new float[] {1, 2, 3})));
        assertExact(new float[] {9, 12, 15}, new int[] {3}, Tensor.of(new float[] {1, 2}).matmul(a));
        assertExact(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, a.matmul(Tensor.eye(3)));
    }

    /** Ways to present the same [r, c] matrix as a non-contiguous tensor. */
    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("transposed", (Layout) (d, r, c) -> Tensor.of(transposeData(d, r, c), c, r).t()),
                Arguments.of("column-stepped", (Layout) (d, r, c) -> Tensor.of(interleave(d, r, c), r, 2 * c).slice(1, 0, 2 * c, 2)),
                Arguments.of("row-stepped", (Layout) (d, r, c) -> Tensor.of(rowGaps(d, r, c), 2 * r, c).slice(0, 1, 2 * r, 2)),
                Arguments.of("offset sub-block", (Layout) (d, r, c) -> Tensor.of(padded(d, r, c), r + 1, c + 2).slice(0, 1, r + 1)
                        .slice(1, 1, c + 1)),
                Arguments.of("contiguous", (Layout) (d, r, c) -> Tensor.of(d, r, c)));
    }

    @FunctionalInterface
    interface Layout {
        Tensor make(float[] rowMajor, int rows, int cols);
    }

    @ParameterizedTest(name = "{0} x {2}")
    @MethodSource("layoutPairs")
    void nonContiguousOperands(String nameA, Layout la, String nameB, Layout lb) {
        int m = 5;
        int k = 7;
        int n = 3;
        float[] a = Checks.normal(103, m * k);
        float[] b = Checks.normal(104, k * n);
        Nd expected = Oracle.matmul(Oracle.nd(a, m, k), Oracle.nd(b, k, n));
        Tensor ta = la.make(a, m, k);
        Tensor tb = lb.make(b, k, n);
        assertClose(Oracle.nd(a, m, k), ta, 0, 0); // the layout helper itself is right
        assertClose(expected, ta.matmul(tb), RTOL, ATOL);
    }

    static Stream<Arguments> layoutPairs() {
        return layouts().flatMap(x -> layouts().map(y -> Arguments.of(x.get()[0], x.get()[1], y.get()[0], y.get()[1])));
    }

    @Test
    void expandedAndPermutedBatches() {
        float[] a = Checks.normal(105, 3 * 4);
        float[] b = Checks.normal(106, 6 * 4 * 2);
        // an expanded [3, 4] -> [6, 3, 4] operand (batch stride 0)
        Nd na = Oracle.expand(Oracle.nd(a, 3, 4), 6, 3, 4);
        Nd nb = Oracle.nd(b, 6, 4, 2);
        assertClose(Oracle.matmul(na, nb), Tensor.of(a, 3, 4).expand(6, 3, 4).matmul(Tensor.of(b, 6, 4, 2)), RTOL, ATOL);
        // a permuted batch: [4, 6, 2] stored, seen as [6, 4, 2]
        float[] bp = Checks.normal(107, 4 * 6 * 2);
        Tensor perm = Tensor.of(bp, 4, 6, 2).permute(1, 0, 2);
        Nd np = Oracle.permute(Oracle.nd(bp, 4, 6, 2), 1, 0, 2);
        assertClose(Oracle.matmul(na, np), Tensor.of(a, 3, 4).expand(6, 3, 4).matmul(perm), RTOL, ATOL);
        // batch-transposed operand: the last two dims swapped on a 3-D tensor
        float[] c = Checks.normal(108, 6 * 2 * 4);
        Tensor ct = Tensor.of(c, 6, 2, 4).transpose(1, 2); // [6, 4, 2]
        Nd nct = Oracle.transpose(Oracle.nd(c, 6, 2, 4), 1, 2);
        assertClose(Oracle.matmul(Oracle.nd(Checks.normal(109, 6 * 3 * 4), 6, 3, 4), nct),
                Tensor.of(Checks.normal(109, 6 * 3 * 4), 6, 3, 4).matmul(ct), RTOL, ATOL);
        // [B, m, k] x [k, n] with a non-contiguous left side
        Tensor left = Tensor.of(c, 6, 2, 4).transpose(1, 2); // [6, 4, 2]
        float[] w = Checks.normal(110, 2 * 5);
        assertClose(Oracle.matmul(nct, Oracle.nd(w, 2, 5)), left.matmul(Tensor.of(w, 2, 5)), RTOL, ATOL);
        assertClose(Oracle.matmul(nct, Oracle.transpose(Oracle.nd(w, 5, 2), 0, 1)), left.matmul(Tensor.of(w, 5, 2).t()),
                RTOL, ATOL);
    }

    @Test
    void vectorOperandsAsViews() {
        float[] m = Checks.normal(111, 4 * 6);
        Tensor mat = Tensor.of(m, 4, 6);
        // a column of the matrix as a strided 1-D vector
        Tensor col = mat.select(1, 2); // [4], stride 6
        Nd ncol = Oracle.dropDim(Oracle.slice(Oracle.nd(m, 4, 6), 1, 2, 3, 1), 1);
        assertClose(Oracle.matmul(ncol, Oracle.nd(m, 4, 6)), col.matmul(mat), RTOL, ATOL);
        assertClose(Oracle.matmul(Oracle.transpose(Oracle.nd(m, 4, 6), 0, 1), ncol), mat.t().matmul(col), RTOL, ATOL);
        assertClose(Oracle.matmul(ncol, ncol), col.matmul(col), RTOL, ATOL);
    }

    @Test
    void largeProductsAgree() {
        int m = 130;
        int k = 150;
        int n = 140;
        float[] a = Checks.normal(112, m * k);
        float[] b = Checks.normal(113, k * n);
        Nd expected = Oracle.matmul(Oracle.nd(a, m, k), Oracle.nd(b, k, n));
        assertClose(expected, Tensor.of(a, m, k).matmul(Tensor.of(b, k, n)), RTOL, 1e-3);
        Nd expectedT = Oracle.matmul(Oracle.transpose(Oracle.nd(a, m, k), 0, 1), Oracle.nd(Checks.normal(114, m * 9), m, 9));
        assertClose(expectedT, Tensor.of(a, m, k).t().matmul(Tensor.of(Checks.normal(114, m * 9), m, 9)), RTOL, 1e-3);
        // many small batches: [64, 8, 16] x [64, 16, 8]
        float[] x = Checks.normal(115, 64 * 8 * 16);
        float[] y = Checks.normal(116, 64 * 16 * 8);
        assertClose(Oracle.matmul(Oracle.nd(x, 64, 8, 16), Oracle.nd(y, 64, 16, 8)),
                Tensor.of(x, 64, 8, 16).matmul(Tensor.of(y, 64, 16, 8)), RTOL, ATOL);
        // [B, m, k] x [k, n] folding the batch into rows
        float[] w = java.util.Arrays.copyOf(b, 16 * 8);
        assertClose(Oracle.matmul(Oracle.nd(x, 64, 8, 16), Oracle.nd(w, 16, 8)), Tensor.of(x, 64, 8, 16)
                .matmul(Tensor.of(w, 16, 8)), RTOL, ATOL);
    }

    /**
     * A long inner dimension (k = 16384) of equal positive terms: one float accumulator along k
     * drifts by about 1.6e-4 here, blocked partial sums (the CPU's panels, the OpenCL kernel's K
     * tiles) stay below (16 + k / 16) * 2^-24 relative. The factors 51/512 and 1025/1024 have
     * short mantissas, so every product is exact (even in TF32): the error is the summation's alone.
     */
    @Test
    void longInnerDimensionIsSummedAccurately() {
        int m = 3;
        int k = 16384;
        int n = 5;
        float av = 51f / 512f;
        float bv = 1025f / 1024f;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        java.util.Arrays.fill(a, av);
        java.util.Arrays.fill(b, bv);
        double exact = (double) k * av * bv;
        double rtol = (16 + k / 16.0) * Math.ulp(1f) / 2;
        float[] direct = Tensor.of(a, m, k).matmul(Tensor.of(b, k, n)).toFloatArray();
        float[] transposed = Tensor.of(a, k, m).t().matmul(Tensor.of(b, n, k).t()).toFloatArray();
        for (float[] c : new float[][] {direct, transposed}) {
            for (int i = 0; i < c.length; i++) {
                assertEquals(exact, c[i], exact * rtol, "element " + i + " of a product with k = " + k);
            }
        }
    }

    @Test
    void matmulResultIsFreshAndContiguous() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor c = a.matmul(a.t());
        assertArrayEquals(new int[] {2, 1}, c.strides());
        try (var ng = Tensor.noGrad()) {
            a.fill(0f);
        }
        assertArrayEquals(new float[] {5, 11, 11, 25}, c.toFloatArray());
    }

    // ------------------------------------------------------------------ layout helpers

    private static float[] transposeData(float[] d, int r, int c) {
        float[] t = new float[d.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[j * r + i] = d[i * c + j];
            }
        }
        return t;
    }

    /** Each row followed by garbage in every other column: slice(1, 0, 2c, 2) recovers it. */
    private static float[] interleave(float[] d, int r, int c) {
        float[] t = new float[r * 2 * c];
        java.util.Arrays.fill(t, Float.NaN);
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[i * 2 * c + 2 * j] = d[i * c + j];
            }
        }
        return t;
    }

    /** A garbage row before every row: slice(0, 1, 2r, 2) recovers it. */
    private static float[] rowGaps(float[] d, int r, int c) {
        float[] t = new float[2 * r * c];
        java.util.Arrays.fill(t, Float.NaN);
        for (int i = 0; i < r; i++) {
            System.arraycopy(d, i * c, t, (2 * i + 1) * c, c);
        }
        return t;
    }

    /** The matrix inside a border: one garbage row on top, one garbage column each side. */
    private static float[] padded(float[] d, int r, int c) {
        float[] t = new float[(r + 1) * (c + 2)];
        java.util.Arrays.fill(t, Float.NaN);
        for (int i = 0; i < r; i++) {
            System.arraycopy(d, i * c, t, (i + 1) * (c + 2) + 1, c);
        }
        return t;
    }

    static Stream<Arguments> oddSizes() {
        int[][] mkn = {{1, 1, 1}, {1, 300, 1}, {17, 1, 33}, {67, 300, 45}, {5, 513, 3}, {33, 17, 65}, {129, 70, 31},
            {1, 257, 300}, {300, 257, 1}, {64, 64, 64}};
        return Stream.of(mkn).flatMap(s -> Stream.of(
                Arguments.of(s[0], s[1], s[2], false, false), Arguments.of(s[0], s[1], s[2], true, false),
                Arguments.of(s[0], s[1], s[2], false, true), Arguments.of(s[0], s[1], s[2], true, true)));
    }

    @ParameterizedTest(name = "m {0} k {1} n {2} transA {3} transB {4}")
    @MethodSource("oddSizes")
    void oddSizesDeepKAndTransposes(int m, int k, int n, boolean transA, boolean transB) {
        float[] a = Checks.normal(117 + m, m * k);
        float[] b = Checks.normal(118 + n, k * n);
        Tensor ta = transA ? Tensor.of(transposeData(a, m, k), k, m).t() : Tensor.of(a, m, k);
        Tensor tb = transB ? Tensor.of(transposeData(b, k, n), n, k).t() : Tensor.of(b, k, n);
        assertClose(Oracle.matmul(Oracle.nd(a, m, k), Oracle.nd(b, k, n)), ta.matmul(tb), RTOL, 1e-3);
    }

    @Test
    void emptyProducts() {
        org.junit.jupiter.api.Assertions.assertAll(
            () -> assertExact(new float[6], new int[] {2, 3}, Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 3))),
            () -> assertArrayEquals(new int[] {0, 4}, Tensor.zeros(0, 3).matmul(Tensor.zeros(3, 4)).shape()),
            () -> assertArrayEquals(new int[] {3, 0}, Tensor.ones(3, 2).matmul(Tensor.zeros(2, 0)).shape()),
            () -> assertEquals(0f, Tensor.zeros(0).matmul(Tensor.zeros(0)).item()),
            () -> assertArrayEquals(new int[] {0, 2, 5}, Tensor.zeros(0, 2, 3).matmul(Tensor.zeros(3, 5)).shape()),
            () -> assertArrayEquals(new int[] {0, 2, 5}, Tensor.zeros(0, 2, 3).matmul(Tensor.zeros(0, 3, 5)).shape()),
            () -> assertArrayEquals(new int[] {2, 2, 5}, Tensor.zeros(2, 2, 0).matmul(Tensor.zeros(2, 0, 5)).shape()),
            () -> assertArrayEquals(new int[] {2, 3, 0}, Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(2, 4, 0)).shape()));
    }

    private static Nd largeLayoutExpected;

    /** The 25 layout pairs again at a size that takes the vectorised, blocked, multithreaded path. */
    @ParameterizedTest(name = "{0} x {2}")
    @MethodSource("layoutPairs")
    void largeNonContiguousOperands(String nameA, Layout la, String nameB, Layout lb) {
        int m = 70;
        int k = 300;
        int n = 50;
        float[] a = Checks.normal(119, m * k);
        float[] b = Checks.normal(120, k * n);
        synchronized (MatmulTest.class) {
            if (largeLayoutExpected == null) {
                largeLayoutExpected = Oracle.matmul(Oracle.nd(a, m, k), Oracle.nd(b, k, n));
            }
        }
        assertClose(largeLayoutExpected, la.make(a, m, k).matmul(lb.make(b, k, n)), RTOL, 1e-3);
    }

    @Test
    void batchOfMediumProductsNestsParallelism() {
        // 4 x [80, 80] x [80, 80]: spread over the batch, and each product is large enough to split again.
        float[] a = Checks.normal(121, 4 * 80 * 80);
        float[] b = Checks.normal(122, 4 * 80 * 80);
        assertClose(Oracle.matmul(Oracle.nd(a, 4, 80, 80), Oracle.nd(b, 4, 80, 80)),
                Tensor.of(a, 4, 80, 80).matmul(Tensor.of(b, 4, 80, 80).transpose(1, 2).contiguous().transpose(1, 2)), RTOL, 1e-3);
    }
}
