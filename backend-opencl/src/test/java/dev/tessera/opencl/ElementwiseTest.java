package dev.tessera.opencl;

import static dev.tessera.opencl.SpiPair.contiguous;

import dev.tessera.DType;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.UnaryOp;
import dev.tessera.spi.View;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** fill, copy, unary, binary and where on OpenCL against the CPU backend: contiguous, strided, broadcast, odd and empty shapes. */
class ElementwiseTest {
    /** Values where the ops' edge cases live, then random ones: 7 x 11 = 77 elements. */
    private static float[] inputs() {
        float[] special = {0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, -2f, 1e-3f, -1e-3f, 30f, -30f, 100f, -100f, 1e-30f,
            Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3.7f, -12.25f, 88f, -88f, 0.3f, 1e10f, -1e10f};
        float[] x = SpiPair.random(7, 77, 6f);
        System.arraycopy(special, 0, x, 0, special.length);
        return x;
    }

    private static float param(UnaryOp op) {
        return switch (op) {
            case LEAKY_RELU, ELU -> 0.3f;
            case POW_SCALAR -> 1.5f;
            case CLAMP_MIN -> -0.25f;
            case CLAMP_MAX -> 0.75f;
            case DIV_SCALAR, RDIV_SCALAR -> 3f;
            default -> 2.5f;
        };
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesCpu(UnaryOp op) {
        SpiPair p = new SpiPair();
        float[] x = inputs();
        // contiguous [7, 11]
        SpiPair.Views in = p.floats(x, new int[] {7, 11}, contiguous(7, 11), 0);
        SpiPair.Views out = p.zeros(DType.FLOAT32, 77, new int[] {7, 11}, contiguous(7, 11), 0);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).unary(op, param(op), in.on(s), out.on(s));
        }
        p.assertSameFloats(out, op + " contiguous");
        // transposed input [11, 7] from offset 0, written into every other element of a larger buffer
        SpiPair.Views tin = p.floats(x, new int[] {11, 7}, new int[] {1, 11}, 0);
        SpiPair.Views tout = p.zeros(DType.FLOAT32, 160, new int[] {11, 7}, new int[] {14, 2}, 3);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).unary(op, param(op), tin.on(s), tout.on(s));
        }
        p.assertSameFloats(tout, op + " transposed");
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesCpu(BinaryOp op) {
        SpiPair p = new SpiPair();
        float[] a = inputs();
        float[] b = SpiPair.random(8, 77, 3f);
        for (int i = 0; i < 77; i += 5) {
            b[i] = a[i]; // equal pairs for the comparisons
        }
        b[3] = Float.NaN;
        b[4] = 0f;
        // a [7, 11] contiguous, b broadcast along rows from a [1, 11] slice, out contiguous
        SpiPair.Views va = p.floats(a, new int[] {7, 11}, contiguous(7, 11), 0);
        SpiPair.Views vb = p.floats(b, new int[] {7, 11}, new int[] {0, 1}, 5);
        SpiPair.Views out = p.zeros(DType.FLOAT32, 77, new int[] {7, 11}, contiguous(7, 11), 0);
        run(p, op, va, vb, out);
        p.assertSameFloats(out, op + " broadcast");
        // a transposed, b contiguous
        SpiPair.Views ta = p.floats(a, new int[] {11, 7}, new int[] {1, 11}, 0);
        SpiPair.Views tb = p.floats(b, new int[] {11, 7}, contiguous(11, 7), 0);
        SpiPair.Views tout = p.zeros(DType.FLOAT32, 77, new int[] {11, 7}, contiguous(11, 7), 0);
        run(p, op, ta, tb, tout);
        p.assertSameFloats(tout, op + " transposed");
        // int inputs with a float output (read as floats)
        int[] ia = SpiPair.randomInts(3, 77, -5, 5);
        int[] ib = SpiPair.randomInts(4, 77, -5, 5);
        SpiPair.Views ja = p.ints(ia, new int[] {77}, new int[] {1}, 0);
        SpiPair.Views jb = p.ints(ib, new int[] {77}, new int[] {1}, 0);
        SpiPair.Views fout = p.zeros(DType.FLOAT32, 77, new int[] {77}, new int[] {1}, 0);
        run(p, op, ja, jb, fout);
        p.assertSameFloats(fout, op + " int inputs");
    }

    private static void run(SpiPair p, BinaryOp op, SpiPair.Views a, SpiPair.Views b, SpiPair.Views out) {
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).binary(op, a.on(s), b.on(s), out.on(s));
        }
    }

    @Test
    void integerArithmeticWrapsLikeJava() {
        SpiPair p = new SpiPair();
        int[] a = {Integer.MAX_VALUE, Integer.MIN_VALUE, 7, -7, 123456789, 0, 46341};
        int[] b = {1, -1, -3, 3, 987654321, 0, 46341};
        for (BinaryOp op : EnumSet.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM, BinaryOp.MINIMUM)) {
            SpiPair.Views va = p.ints(a, new int[] {7}, new int[] {1}, 0);
            SpiPair.Views vb = p.ints(b, new int[] {7}, new int[] {1}, 0);
            SpiPair.Views out = p.zeros(DType.INT32, 7, new int[] {7}, new int[] {1}, 0);
            run(p, op, va, vb, out);
            p.assertSameInts(out, op.toString());
        }
    }

    @Test
    void whereSelectsWithFloatAndIntConditions() {
        SpiPair p = new SpiPair();
        float[] cond = {1, 0, Float.NaN, -0f, 2, 0};
        SpiPair.Views fc = p.floats(cond, new int[] {4, 6}, new int[] {0, 1}, 0);
        SpiPair.Views ic = p.ints(new int[] {0, 1, 0, 5, 0, -1}, new int[] {4, 6}, new int[] {0, 1}, 0);
        SpiPair.Views a = p.floats(SpiPair.random(1, 24, 1), new int[] {4, 6}, new int[] {1, 4}, 0);
        SpiPair.Views b = p.floats(SpiPair.random(2, 24, 1), new int[] {4, 6}, contiguous(4, 6), 0);
        for (SpiPair.Views c : new SpiPair.Views[] {fc, ic}) {
            SpiPair.Views out = p.zeros(DType.FLOAT32, 24, new int[] {4, 6}, contiguous(4, 6), 0);
            for (int s = 0; s < 2; s++) {
                (s == 0 ? p.cpu : p.ocl).where(c.on(s), a.on(s), b.on(s), out.on(s));
            }
            p.assertSameFloats(out, "where");
        }
    }

    @Test
    void fillWritesStridedFloatAndIntViews() {
        SpiPair p = new SpiPair();
        SpiPair.Views f = p.zeros(DType.FLOAT32, 50, new int[] {3, 4}, new int[] {10, 2}, 5);
        SpiPair.Views i = p.zeros(DType.INT32, 50, new int[] {4, 3}, new int[] {1, 12}, 1);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).fill(f.on(s), -2.75f);
            (s == 0 ? p.cpu : p.ocl).fill(i.on(s), -2.75f);
        }
        p.assertSameFloats(f, "fill float");
        p.assertSameInts(i, "fill int");
    }

    @Test
    void copyConvertsBetweenDtypes() {
        SpiPair p = new SpiPair();
        float[] x = {1.9f, -1.9f, Float.NaN, 3e9f, -3e9f, Float.POSITIVE_INFINITY, 0.5f, -0f, 7f, 8.5f, 1e-3f, -5.5f};
        int[] ints = {1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE, 16777217, 0, 9, 10, 11, 12, 13};
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                SpiPair.Views src = from == DType.FLOAT32 ? p.floats(x, new int[] {3, 4}, new int[] {1, 3}, 0)
                        : p.ints(ints, new int[] {3, 4}, new int[] {1, 3}, 0);
                SpiPair.Views out = p.zeros(to, 12, new int[] {3, 4}, contiguous(3, 4), 0);
                for (int s = 0; s < 2; s++) {
                    (s == 0 ? p.cpu : p.ocl).copy(src.on(s), out.on(s));
                }
                if (to == DType.FLOAT32) {
                    p.assertSameFloats(out, from + " to " + to);
                } else {
                    p.assertSameInts(out, from + " to " + to);
                }
            }
        }
    }

    @Test
    void readsStridedViewsOfEitherDtype() {
        SpiPair p = new SpiPair();
        float[] x = SpiPair.random(5, 30, 100);
        SpiPair.Views v = p.floats(x, new int[] {2, 3, 2}, new int[] {1, 8, 3}, 4);
        SpiPair.assertClose(p.cpu.readFloats(v.cpu()), p.ocl.readFloats(v.ocl()), "readFloats strided");
        org.junit.jupiter.api.Assertions.assertArrayEquals(p.cpu.readInts(v.cpu()), p.ocl.readInts(v.ocl()), "readInts of floats");
        SpiPair.Views iv = p.ints(SpiPair.randomInts(6, 30, -9, 9), new int[] {5, 2}, new int[] {2, 1}, 3);
        org.junit.jupiter.api.Assertions.assertArrayEquals(p.cpu.readInts(iv.cpu()), p.ocl.readInts(iv.ocl()), "readInts");
        SpiPair.assertClose(p.cpu.readFloats(iv.cpu()), p.ocl.readFloats(iv.ocl()), "readFloats of ints");
    }

    @Test
    void ranksAboveTheLayoutLimitAreSplitIntoLaunches() {
        SpiPair p = new SpiPair();
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2, 3}; // 10 dimensions, a permutation keeps them from merging
        int[] base = contiguous(shape);
        int[] strides = new int[shape.length];
        int[] perm = {9, 0, 8, 1, 7, 2, 6, 3, 5, 4};
        int[] pshape = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            pshape[d] = shape[perm[d]];
            strides[d] = base[perm[d]];
        }
        float[] x = SpiPair.random(11, 1536, 1);
        SpiPair.Views src = p.floats(x, pshape, strides, 0);
        SpiPair.Views out = p.zeros(DType.FLOAT32, 1536, pshape, contiguous(pshape), 0);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).unary(UnaryOp.NEG, 0, src.on(s), out.on(s));
        }
        p.assertSameFloats(out, "rank 10");
    }

    @Test
    void emptyViewsAndZeroLengthStoragesWork() {
        SpiPair p = new SpiPair();
        View e = new View(p.ocl.allocate(DType.FLOAT32, 0), new int[] {0, 3}, new int[] {3, 1}, 0);
        View u = new View(p.ocl.upload(new float[0]), new int[] {3, 0}, new int[] {0, 1}, 0);
        View ui = new View(p.ocl.upload(new int[0]), new int[] {0}, new int[] {1}, 0);
        p.ocl.fill(e, 1f);
        p.ocl.unary(UnaryOp.EXP, 0, e, e);
        p.ocl.binary(BinaryOp.ADD, e, e, e);
        p.ocl.copy(u, u);
        org.junit.jupiter.api.Assertions.assertEquals(0, p.ocl.readFloats(e).length);
        org.junit.jupiter.api.Assertions.assertEquals(0, p.ocl.readFloats(u).length);
        org.junit.jupiter.api.Assertions.assertEquals(0, p.ocl.readInts(ui).length);
        p.ocl.synchronize();
    }
}
