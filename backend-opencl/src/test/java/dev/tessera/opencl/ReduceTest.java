package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.DType;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.Storage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reductions and softmax on OpenCL against the CPU backend, on short lines (one work-item each) and long ones (a work-group tree). */
class ReduceTest {
    /** (outer, n, inner): rows, columns, a single element, lines that take the tree path (n >= 128), odd sizes. */
    static List<Arguments> shapes() {
        int[][] shapes = {{1, 1, 1}, {3, 7, 1}, {5, 1, 4}, {2, 9, 5}, {4, 200, 1}, {1, 1000, 3}, {3, 131, 2}, {1, 4099, 1}};
        List<Arguments> args = new ArrayList<>();
        for (int[] s : shapes) {
            args.add(Arguments.of(s[0], s[1], s[2]));
        }
        return args;
    }

    static List<Arguments> opsAndShapes() {
        List<Arguments> args = new ArrayList<>();
        for (ReduceOp op : ReduceOp.values()) {
            for (Arguments s : shapes()) {
                Object[] a = s.get();
                args.add(Arguments.of(op, a[0], a[1], a[2]));
            }
        }
        return args;
    }

    /** Random values with repeated maxima (ties), a NaN in a few lines, and -inf. */
    private static float[] data(int outer, int n, int inner, boolean nan) {
        int len = outer * n * inner + 3;
        float[] x = SpiPair.random(outer * 1000L + n * 10L + inner, len, 4f);
        for (int i = 0; i < len; i += 7) {
            x[i] = 4.5f; // ties for the maximum (the random values are below 4)
        }
        for (int i = 1; i < len; i += 11) {
            x[i] = -4.5f; // and for the minimum
        }
        if (nan && len > 20) {
            x[len / 2] = Float.NaN;
            x[len / 3] = Float.NaN;
        }
        if (len > 5) {
            x[5] = Float.NEGATIVE_INFINITY;
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("opsAndShapes")
    void reduceMatchesCpu(ReduceOp op, int outer, int n, int inner) {
        SpiPair p = new SpiPair();
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        for (boolean nan : new boolean[] {false, true}) {
            float[] x = data(outer, n, inner, nan);
            Storage xc = p.cpu.upload(x);
            Storage xo = p.ocl.upload(x);
            int outLen = outer * inner + 2;
            DType outType = arg ? DType.INT32 : DType.FLOAT32;
            Storage oc = p.cpu.allocate(outType, outLen);
            Storage oo = p.ocl.allocate(outType, outLen);
            p.cpu.reduce(op, xc, 3, outer, n, inner, oc, 1);
            p.ocl.reduce(op, xo, 3, outer, n, inner, oo, 1);
            SpiPair.Views out = new SpiPair.Views(new dev.tessera.spi.View(oc, new int[] {outLen}, new int[] {1}, 0),
                    new dev.tessera.spi.View(oo, new int[] {outLen}, new int[] {1}, 0));
            String what = op + " [" + outer + ", " + n + ", " + inner + "]" + (nan ? " with NaN" : "");
            if (arg) {
                p.assertSameInts(out, what);
            } else {
                // float sums in another order: tolerance grows with the line
                float[][] r = p.storageFloats(out);
                SpiPair.assertClose(r[0], r[1], 2e-5f, 1e-5f * (float) Math.sqrt(n), what);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void integerReductionsMatchCpu(int outer, int n, int inner) {
        SpiPair p = new SpiPair();
        int[] x = SpiPair.randomInts(n, outer * n * inner, -1_000_000_000, 1_000_000_000); // sums overflow and wrap
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN}) {
            Storage oc = p.cpu.allocate(DType.INT32, outer * inner);
            Storage oo = p.ocl.allocate(DType.INT32, outer * inner);
            p.cpu.reduce(op, p.cpu.upload(x), 0, outer, n, inner, oc, 0);
            p.ocl.reduce(op, p.ocl.upload(x), 0, outer, n, inner, oo, 0);
            dev.tessera.spi.View all = new dev.tessera.spi.View(oc, new int[] {outer * inner}, new int[] {1}, 0);
            assertArrayEquals(p.cpu.readInts(all), p.ocl.readInts(new dev.tessera.spi.View(oo, all.shape(), all.strides(), 0)),
                    op.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void softmaxMatchesCpu(int outer, int n, int inner) {
        SpiPair p = new SpiPair();
        float[] x = SpiPair.random(n + inner, outer * n * inner + 2, 30f);
        x[2] = 1e30f; // a huge logit: must stay finite
        for (boolean log : new boolean[] {false, true}) {
            Storage oc = p.cpu.allocate(DType.FLOAT32, outer * n * inner);
            Storage oo = p.ocl.allocate(DType.FLOAT32, outer * n * inner);
            p.cpu.softmax(p.cpu.upload(x), 2, outer, n, inner, oc, 0, log);
            p.ocl.softmax(p.ocl.upload(x), 2, outer, n, inner, oo, 0, log);
            int len = outer * n * inner;
            dev.tessera.spi.View v = new dev.tessera.spi.View(oc, new int[] {len}, new int[] {1}, 0);
            SpiPair.assertClose(p.cpu.readFloats(v), p.ocl.readFloats(new dev.tessera.spi.View(oo, v.shape(), v.strides(), 0)),
                    1e-4f, 1e-6f, (log ? "logSoftmax" : "softmax") + " [" + outer + ", " + n + ", " + inner + "]");
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void softmaxOfAnAllNegativeInfinityLineIsNaNAsOnTheCpu(int outer, int n, int inner) {
        SpiPair p = new SpiPair();
        float[] x = new float[outer * n * inner];
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
        Storage oc = p.cpu.allocate(DType.FLOAT32, x.length);
        Storage oo = p.ocl.allocate(DType.FLOAT32, x.length);
        p.cpu.softmax(p.cpu.upload(x), 0, outer, n, inner, oc, 0, false);
        p.ocl.softmax(p.ocl.upload(x), 0, outer, n, inner, oo, 0, false);
        dev.tessera.spi.View v = new dev.tessera.spi.View(oc, new int[] {x.length}, new int[] {1}, 0);
        SpiPair.assertClose(p.cpu.readFloats(v), p.ocl.readFloats(new dev.tessera.spi.View(oo, v.shape(), v.strides(), 0)),
                "softmax of -inf");
    }
}
