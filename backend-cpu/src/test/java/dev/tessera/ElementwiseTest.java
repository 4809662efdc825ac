package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static dev.tessera.Checks.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Oracle.Nd;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values of the elementwise ops against the double-precision {@link Oracle}: the binary
 * ops (tensor and float variants, rsub, pow) under every broadcasting corner case (size-1 dims on
 * either side, 0-d scalars, different ranks), the unary math ops, comparisons (0/1 FLOAT32),
 * {@code where}, {@code clamp}, {@code maximum}/{@code minimum}, INT32 arithmetic, non-contiguous
 * inputs (transposed, stepped slices, expanded views) and sizes above the backend's 32768-element
 * multithreading threshold.
 */
class ElementwiseTest {

    /** A binary op: name, the library call, the reference, and the input domains. */
    record BinOp(String name, BinaryOperator<Tensor> op, DoubleBinaryOperator ref, double loA, double hiA,
            double loB, double hiB) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<BinOp> BINARY = List.of(
            new BinOp("add", Tensor::add, (a, b) -> a + b, -3, 3, -3, 3),
            new BinOp("sub", Tensor::sub, (a, b) -> a - b, -3, 3, -3, 3),
            new BinOp("mul", Tensor::mul, (a, b) -> a * b, -3, 3, -3, 3),
            new BinOp("div", Tensor::div, (a, b) -> a / b, -3, 3, 0.5, 2),
            new BinOp("pow", Tensor::pow, Math::pow, 0.5, 2, -2, 2),
            new BinOp("maximum", Tensor::maximum, Math::max, -3, 3, -3, 3),
            new BinOp("minimum", Tensor::minimum, Math::min, -3, 3, -3, 3));

    static final int[][][] BROADCAST_SHAPES = {
        {{2, 3}, {2, 3}},
        {{3, 1}, {4}},
        {{4}, {3, 1}},
        {{1, 4}, {3, 1}},
        {{}, {2, 3}},
        {{2, 3}, {}},
        {{}, {}},
        {{2, 1, 4}, {3, 1}},
        {{5}, {2, 3, 5}},
        {{1}, {3, 2}},
        {{2, 3, 1, 4}, {3, 5, 1}},
        {{3, 1, 2}, {1, 4, 1}},
    };

    static Stream<Arguments> binaryCases() {
        List<Arguments> cases = new ArrayList<>();
        for (BinOp op : BINARY) {
            for (int[][] s : BROADCAST_SHAPES) {
                cases.add(Arguments.of(op, s[0], s[1]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("binaryCases")
    void binaryWithBroadcasting(BinOp op, int[] shapeA, int[] shapeB) {
        float[] a = Checks.uniform(11, Oracle.numel(shapeA), op.loA, op.hiA);
        float[] b = Checks.uniform(12, Oracle.numel(shapeB), op.loB, op.hiB);
        if (op.name.equals("div")) {
            for (int i = 0; i < b.length; i += 2) {
                b[i] = -b[i]; // negative denominators too
            }
        }
        Tensor out = op.op.apply(tensor(a, shapeA), tensor(b, shapeB));
        assertClose(Oracle.zip(Oracle.nd(a, shapeA), Oracle.nd(b, shapeB), op.ref), out);
    }

    @Test
    void floatVariants() {
        float[] a = Checks.uniform(3, 12, -3, 3);
        Nd x = Oracle.nd(a, 3, 4);
        Tensor t = Tensor.of(a, 3, 4);
        assertClose(Oracle.map(x, v -> v + 1.5), t.add(1.5f));
        assertClose(Oracle.map(x, v -> v - 1.5), t.sub(1.5f));
        assertClose(Oracle.map(x, v -> v * -2.5), t.mul(-2.5f));
        assertClose(Oracle.map(x, v -> v / 3.0), t.div(3f));
        assertClose(Oracle.map(x, v -> 2.0 - v), t.rsub(2f));
        Tensor s = Tensor.scalar(4f);
        assertEquals(0, s.add(1f).dim());
        assertEquals(5f, s.add(1f).item());
        assertEquals(-3f, s.rsub(1f).item());
    }

    static Stream<Arguments> powExponents() {
        return Stream.of(2f, 3f, 0.5f, -1f, 1.5f, 0f, -2.5f).map(Arguments::of);
    }

    @ParameterizedTest(name = "pow({0})")
    @MethodSource("powExponents")
    void powFloat(float p) {
        float[] a = Checks.uniform(5, 20, 0.2, 3);
        assertClose(Oracle.map(Oracle.nd(a, 4, 5), v -> Math.pow(v, p)), Tensor.of(a, 4, 5).pow(p));
    }

    @Test
    void powOfNegativeBaseWithIntegerExponent() {
        Tensor x = Tensor.of(new float[] {-2, -1.5f, 3});
        assertClose(Oracle.nd(new float[] {-8, -3.375f, 27}, 3), x.pow(3f));
        assertClose(Oracle.nd(new float[] {4, 2.25f, 9}, 3), x.square());
        assertClose(Oracle.nd(new float[] {4, 2.25f, 9}, 3), x.pow(Tensor.scalar(2f)));
    }

    /** A unary op: name, library call, reference, input domain. */
    record UnOp(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo, double hi) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<UnOp> unaryOps() {
        return Stream.of(
                new UnOp("neg", Tensor::neg, v -> -v, -5, 5),
                new UnOp("exp", Tensor::exp, Math::exp, -10, 10),
                new UnOp("log", Tensor::log, Math::log, 1e-3, 100),
                new UnOp("sqrt", Tensor::sqrt, Math::sqrt, 0, 100),
                new UnOp("rsqrt", Tensor::rsqrt, v -> 1 / Math.sqrt(v), 1e-2, 100),
                new UnOp("reciprocal", t -> t.reciprocal(), v -> 1 / v, 0.1, 10),
                new UnOp("abs", Tensor::abs, Math::abs, -5, 5),
                new UnOp("sign", Tensor::sign, Math::signum, -5, 5),
                new UnOp("sin", Tensor::sin, Math::sin, -7, 7),
                new UnOp("cos", Tensor::cos, Math::cos, -7, 7),
                new UnOp("square", Tensor::square, v -> v * v, -5, 5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryOps")
    void unaryOnContiguousAndStridedInput(UnOp op) {
        float[] a = Checks.uniform(21, 60, op.lo, op.hi);
        Nd base = Oracle.nd(a, 6, 10);
        Tensor t = Tensor.of(a, 6, 10);
        assertClose(op.name, Oracle.map(base, op.ref), op.op.apply(t), Checks.RTOL, Checks.ATOL);
        // transposed, then every other column of the transposed view: strides (2, 10)
        Tensor view = t.t().slice(1, 1, 6, 2);
        Nd expected = Oracle.slice(Oracle.transpose(base, 0, 1), 1, 1, 6, 2);
        assertClose(op.name + " on view", Oracle.map(expected, op.ref), op.op.apply(view), Checks.RTOL, Checks.ATOL);
    }

    @Test
    void signAndAbsAtZero() {
        Tensor x = Tensor.of(new float[] {0f, -0f, 2f, -3f});
        float[] s = x.sign().toFloatArray();
        assertEquals(0f, Math.abs(s[0]));
        assertEquals(0f, Math.abs(s[1]));
        assertEquals(1f, s[2]);
        assertEquals(-1f, s[3]);
        assertArrayEquals(new float[] {0, 0, 2, 3}, x.abs().toFloatArray());
    }

    @Test
    void comparisonsGiveZeroOneFloats() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 2, 2}, 2, 3);
        Tensor b = Tensor.of(new float[] {2, 2, 1});
        Nd na = Oracle.nd(a.toFloatArray(), 2, 3);
        Nd nb = Oracle.nd(b.toFloatArray(), 3);
        assertCompare(Oracle.zip(na, nb, (x, y) -> x == y ? 1 : 0), a.eq(b));
        assertCompare(Oracle.zip(na, nb, (x, y) -> x != y ? 1 : 0), a.ne(b));
        assertCompare(Oracle.zip(na, nb, (x, y) -> x < y ? 1 : 0), a.lt(b));
        assertCompare(Oracle.zip(na, nb, (x, y) -> x <= y ? 1 : 0), a.le(b));
        assertCompare(Oracle.zip(na, nb, (x, y) -> x > y ? 1 : 0), a.gt(b));
        assertCompare(Oracle.zip(na, nb, (x, y) -> x >= y ? 1 : 0), a.ge(b));
        assertCompare(Oracle.map(na, x -> x == 2 ? 1 : 0), a.eq(2f));
        assertCompare(Oracle.map(na, x -> x != 2 ? 1 : 0), a.ne(2f));
        assertCompare(Oracle.map(na, x -> x < 2 ? 1 : 0), a.lt(2f));
        assertCompare(Oracle.map(na, x -> x <= 2 ? 1 : 0), a.le(2f));
        assertCompare(Oracle.map(na, x -> x > 2 ? 1 : 0), a.gt(2f));
        assertCompare(Oracle.map(na, x -> x >= 2 ? 1 : 0), a.ge(2f));
        // column vector against row vector
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor row = Tensor.of(new float[] {2, 3}, 1, 2);
        assertCompare(Oracle.nd(new float[] {1, 1, 0, 1, 0, 0}, 3, 2), col.lt(row));
    }

    private static void assertCompare(Nd expected, Tensor actual) {
        assertEquals(DType.FLOAT32, actual.dtype());
        assertClose(expected, actual, 0, 0);
        assertTrue(!actual.requiresGrad());
    }

    @Test
    void comparisonsOfIntTensors() {
        Tensor a = Tensor.ofInts(new int[] {1, 5, 3});
        Tensor b = Tensor.ofInts(new int[] {1, 2, 4});
        assertExactFloats(new float[] {1, 0, 0}, a.eq(b));
        assertExactFloats(new float[] {0, 1, 0}, a.gt(b));
        assertExactFloats(new float[] {0, 1, 1}, a.gt(1.5f));
    }

    private static void assertExactFloats(float[] expected, Tensor t) {
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(expected, t.toFloatArray());
    }

    @Test
    void whereBroadcastsAllThree() {
        Tensor cond = Tensor.of(new float[] {1, 0, 1}, 3, 1);
        Tensor a = Tensor.of(new float[] {10, 20, 30, 40});
        Tensor b = Tensor.scalar(-1f);
        Nd expected = Oracle.where(Oracle.nd(cond.toFloatArray(), 3, 1), Oracle.nd(a.toFloatArray(), 4),
                Oracle.nd(new float[] {-1}));
        assertClose(expected, Tensor.where(cond, a, b), 0, 0);
        Tensor x = Tensor.of(new float[] {-2, 3, -1, 5});
        assertArrayEquals(new float[] {0, 3, 0, 5}, Tensor.where(x.gt(0f), x, x.zerosLike()).toFloatArray());
        Tensor intCond = Tensor.ofInts(new int[] {0, 2, 0, -1});
        assertArrayEquals(new float[] {0, 3, 0, 5}, Tensor.where(intCond, x, Tensor.scalar(0f)).toFloatArray());
    }

    @Test
    void clampLimitsAndKeepsNaN() {
        Tensor x = Tensor.of(new float[] {-3, -1, 0, 0.5f, 1, 2, Float.NaN});
        float[] c = x.clamp(-1f, 1f).toFloatArray();
        assertArrayEquals(new float[] {-1, -1, 0, 0.5f, 1, 1}, java.util.Arrays.copyOf(c, 6));
        assertTrue(Float.isNaN(c[6]));
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, java.util.Arrays.copyOf(x.clamp(2f, 2f).toFloatArray(), 6));
    }

    @Test
    void maximumMinimumTiesAndNaN() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, Float.NaN});
        Tensor b = Tensor.of(new float[] {1, 3, 2, 0});
        float[] mx = a.maximum(b).toFloatArray();
        float[] mn = a.minimum(b).toFloatArray();
        assertArrayEquals(new float[] {1, 3, 3}, java.util.Arrays.copyOf(mx, 3));
        assertArrayEquals(new float[] {1, 2, 2}, java.util.Arrays.copyOf(mn, 3));
        assertTrue(Float.isNaN(mx[3]));
        assertTrue(Float.isNaN(mn[3]));
    }

    @Test
    void intArithmeticStaysInt() {
        Tensor a = Tensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.ofInts(new int[] {10, 20});
        Tensor sum = a.add(b);
        assertEquals(DType.INT32, sum.dtype());
        assertArrayEquals(new int[] {11, 22, 13, 24}, sum.toIntArray());
        assertArrayEquals(new int[] {-9, -18, -7, -16}, a.sub(b).toIntArray());
        assertArrayEquals(new int[] {10, 40, 30, 80}, a.mul(b).toIntArray());
        assertArrayEquals(new int[] {10, 20, 10, 20}, a.maximum(b).toIntArray());
        Tensor mixed = a.add(Tensor.of(new float[] {0.5f, 0.25f}));
        assertEquals(DType.FLOAT32, mixed.dtype());
        assertArrayEquals(new float[] {1.5f, 2.25f, 3.5f, 4.25f}, mixed.toFloatArray());
        Tensor div = a.div(Tensor.ofInts(new int[] {2, 4}));
        assertEquals(DType.FLOAT32, div.dtype());
        assertArrayEquals(new float[] {0.5f, 0.5f, 1.5f, 1f}, div.toFloatArray());
    }

    @Test
    void nonContiguousOperands() {
        float[] d1 = Checks.normal(31, 12);
        float[] d2 = Checks.uniform(32, 24, 0.5, 2);
        float[] d3 = Checks.normal(33, 4);
        Tensor transposed = Tensor.of(d1, 4, 3).t(); // [3, 4], strides (1, 3)
        Tensor stepped = Tensor.of(d2, 3, 8).slice(1, 1, 8, 2); // [3, 4], strides (8, 2), offset 1
        Tensor expanded = Tensor.of(d3, 4).expand(3, 4); // [3, 4], strides (0, 1)
        Nd nt = Oracle.transpose(Oracle.nd(d1, 4, 3), 0, 1);
        Nd ns = Oracle.slice(Oracle.nd(d2, 3, 8), 1, 1, 8, 2);
        Nd ne = Oracle.expand(Oracle.nd(d3, 4), 3, 4);
        assertClose(Oracle.zip(nt, ns, (a, b) -> a + b), transposed.add(stepped));
        assertClose(Oracle.zip(nt, ns, (a, b) -> a / b), transposed.div(stepped));
        assertClose(Oracle.zip(ns, nt, (a, b) -> a - b), stepped.sub(transposed));
        assertClose(Oracle.zip(ne, nt, (a, b) -> a * b), expanded.mul(transposed));
        assertClose(Oracle.zip(ns, ne, Math::max), stepped.maximum(expanded));
        assertClose(Oracle.map(ne, Math::exp), expanded.exp());
        assertClose(Oracle.zip(Oracle.map(ne, Math::abs), ns, Math::pow), expanded.abs().pow(stepped));
        // a transposed view broadcast against a column
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        assertClose(Oracle.zip(nt, Oracle.nd(new float[] {1, 2, 3}, 3, 1), (a, b) -> a * b), transposed.mul(col));
    }

    @Test
    void largeTensorsAcrossTheThreadingThreshold() {
        int rows = 300;
        int cols = 517;
        float[] a = Checks.normal(41, rows * cols);
        float[] b = Checks.uniform(42, rows * cols, 0.5, 2);
        float[] r = Checks.normal(43, cols);
        Nd na = Oracle.nd(a, rows, cols);
        Nd nb = Oracle.nd(b, rows, cols);
        Tensor ta = Tensor.of(a, rows, cols);
        Tensor tb = Tensor.of(b, rows, cols);
        assertClose(Oracle.zip(na, nb, (x, y) -> x + y), ta.add(tb));
        assertClose(Oracle.zip(na, nb, (x, y) -> x / y), ta.div(tb));
        assertClose(Oracle.zip(na, Oracle.nd(r, cols), (x, y) -> x * y), ta.mul(Tensor.of(r, cols)));
        assertClose(Oracle.map(na, Math::exp), ta.exp());
        assertClose(Oracle.map(na, x -> x * 3 + 1), ta.mul(3f).add(1f));
        assertClose(Oracle.zip(na, Oracle.nd(new float[] {0.25f}), (x, y) -> x > y ? 1 : 0), ta.gt(0.25f), 0, 0);
        // transposed large operand: [517, 300] viewed as [300, 517]
        Tensor tt = Tensor.of(a, cols, rows).t();
        Nd nt = Oracle.transpose(Oracle.nd(a, cols, rows), 0, 1);
        assertClose(Oracle.zip(nt, nb, (x, y) -> x - y), tt.sub(tb));
        assertClose(Oracle.map(nt, Math::abs), tt.abs());
        // a large column broadcast along the rows
        float[] c = Checks.normal(44, rows);
        assertClose(Oracle.zip(na, Oracle.nd(c, rows, 1), (x, y) -> x - y), ta.sub(Tensor.of(c, rows, 1)));
        assertClose(Oracle.where(Oracle.map(na, x -> x > 0 ? 1 : 0), na, nb), Tensor.where(ta.gt(0f), ta, tb), 0, 0);
    }

    @Test
    void zeroSizedOperands() {
        Tensor e = Tensor.zeros(0, 3);
        assertArrayEquals(new int[] {0, 3}, e.add(Tensor.ones(3)).shape());
        assertArrayEquals(new int[] {0, 3}, e.mul(Tensor.ones(1, 3)).exp().shape());
        assertArrayEquals(new int[] {2, 0, 3}, e.sub(Tensor.ones(2, 1, 1)).shape());
        assertEquals(0, e.gt(0f).toFloatArray().length);
        assertArrayEquals(new int[] {0, 3}, Tensor.where(e, e, Tensor.scalar(1f)).shape());
    }
}
