package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Pool2dSpec;
import dev.tessera.spi.View;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Max, average, adaptive-average and global-average pooling against double-precision loop
 * references written from PyTorch's definitions: forward and backward, overlapping windows,
 * padding (-inf for max, zeros counted or not for average), ties (the gradient goes to the first
 * maximum), NaN, adaptive sizes that do not divide the input, finite-difference checks, the
 * composed SPI defaults against the CPU kernels (through {@link ComposedOnly}), and error messages.
 */
class PoolingTest {

    /** One pooling: input {@code [n, c, h, w]}; for adaptive, kernel holds the output size. */
    record Case(String name, int n, int c, int h, int w, int[] kernel, int[] stride, int[] pad, boolean includePad,
                boolean adaptive, boolean ceil) {
        Case(String name, int n, int c, int h, int w, int[] kernel, int[] stride, int[] pad, boolean includePad,
             boolean adaptive) {
            this(name, n, c, h, w, kernel, stride, pad, includePad, adaptive, false);
        }

        @Override
        public String toString() {
            return name;
        }

        Pool2dSpec spec() {
            return adaptive ? Pool2dSpec.adaptive("test", n, c, h, w, kernel[0], kernel[1])
                    : Pool2dSpec.window("test", n, c, h, w, kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], includePad,
                    ceil);
        }
    }

    private static int[] p(int a, int b) {
        return new int[] {a, b};
    }

    static Stream<Case> windows() {
        return Stream.of(
                new Case("2x2 stride 2", 2, 3, 6, 6, p(2, 2), p(2, 2), p(0, 0), true, false),
                new Case("2x2 stride 2, 30 outputs a plane (vector path)", 2, 3, 10, 13, p(2, 2), p(2, 2), p(0, 0), true, false),
                new Case("3x3 stride 2 pad 1 odd", 1, 2, 7, 5, p(3, 3), p(2, 2), p(1, 1), true, false),
                new Case("3x3 stride 2 pad 1 exclude pad", 2, 2, 7, 5, p(3, 3), p(2, 2), p(1, 1), false, false),
                new Case("2x3 stride (1,2) pad (1,1)", 2, 2, 5, 8, p(2, 3), p(1, 2), p(1, 1), true, false),
                new Case("overlapping 3x3 stride 1", 1, 3, 5, 6, p(3, 3), p(1, 1), p(0, 0), true, false),
                new Case("3x3 stride 2 pad 1, 100 outputs a plane (vector path)", 2, 2, 20, 19, p(3, 3), p(2, 2), p(1, 1), true,
                        false),
                new Case("kernel = input", 3, 2, 4, 3, p(4, 3), p(1, 1), p(0, 0), true, false),
                new Case("4x3 stride (3,2) pad (0,1): width padding only", 2, 2, 12, 9, p(4, 3), p(3, 2), p(0, 1), true, false),
                new Case("3x2 stride 2 pad (1,0): height padding only", 1, 2, 7, 6, p(3, 2), p(2, 2), p(1, 0), true, false),
                new Case("ceil 3x3 stride 2 on 8x8: last window half outside", 2, 2, 8, 8, p(3, 3), p(2, 2), p(0, 0), true, false,
                        true),
                new Case("ceil 2x2 stride 2 on 11x13 (2x2 path)", 2, 3, 11, 13, p(2, 2), p(2, 2), p(0, 0), true, false, true),
                new Case("ceil 3x3 stride 2 on 22x21, 110 outputs a plane (vector path)", 1, 2, 22, 21, p(3, 3), p(2, 2),
                        p(0, 0), true, false, true),
                new Case("ceil 2x2 stride 2 pad 1 on 5x7: a window starting in the right padding is dropped", 2, 2, 5, 7,
                        p(2, 2), p(2, 2), p(1, 1), true, false, true),
                new Case("ceil 3x2 stride (2,3) pad (1,1) exclude pad", 1, 2, 6, 8, p(3, 2), p(2, 3), p(1, 1), false, false,
                        true));
    }

    static Stream<Case> adaptive() {
        return Stream.of(
                new Case("adaptive 5x7 -> 3x4", 2, 2, 5, 7, p(3, 4), null, null, false, true),
                new Case("adaptive 10x10 -> 3x3", 1, 3, 10, 10, p(3, 3), null, null, false, true),
                new Case("adaptive 3x3 -> 5x4 (upsampling)", 1, 2, 3, 3, p(5, 4), null, null, false, true),
                new Case("adaptive 7x7 -> 1x1 (global)", 2, 4, 7, 7, p(1, 1), null, null, false, true),
                new Case("adaptive 6x9 -> 2x3 (divides)", 2, 2, 6, 9, p(2, 3), null, null, false, true));
    }

    /** Window bounds of output index i along one axis, unclipped: {start, end}. */
    private static int[] window(Case k, int i, boolean rows) {
        int in = rows ? k.h : k.w;
        int axis = rows ? 0 : 1;
        if (k.adaptive) {
            int out = k.kernel[axis];
            return new int[] {(int) Math.floor((double) i * in / out), (int) Math.ceil((double) (i + 1) * in / out)};
        }
        int start = i * k.stride[axis] - k.pad[axis];
        return new int[] {start, start + k.kernel[axis]};
    }

    private static int outSize(Case k, boolean rows) {
        int axis = rows ? 0 : 1;
        if (k.adaptive) {
            return k.kernel[axis];
        }
        int in = rows ? k.h : k.w;
        if (k.ceil) {
            // PyTorch's pooling_output_shape: round up, then drop a last window that starts past the input and its left padding.
            int out = (int) Math.ceil((double) (in + 2 * k.pad[axis] - k.kernel[axis]) / k.stride[axis]) + 1;
            return (out - 1) * k.stride[axis] >= in + k.pad[axis] ? out - 1 : out;
        }
        return (in + 2 * k.pad[axis] - k.kernel[axis]) / k.stride[axis] + 1;
    }

    /**
     * Reference forward and backward: {@code out} and the gradient of {@code sum(out * g)} with
     * respect to the input. Max: the first strict maximum in row-major order wins.
     */
    static double[][] reference(Case k, float[] x, float[] g, boolean max) {
        int oh = outSize(k, true);
        int ow = outSize(k, false);
        double[] out = new double[k.n * k.c * oh * ow];
        double[] dx = new double[x.length];
        for (int pl = 0; pl < k.n * k.c; pl++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int[] r = window(k, oy, true);
                    int[] c = window(k, ox, false);
                    int o = (pl * oh + oy) * ow + ox;
                    double best = Double.NEGATIVE_INFINITY;
                    int arg = -1;
                    double sum = 0;
                    int count = 0;
                    for (int iy = Math.max(0, r[0]); iy < Math.min(k.h, r[1]); iy++) {
                        for (int ix = Math.max(0, c[0]); ix < Math.min(k.w, c[1]); ix++) {
                            int i = (pl * k.h + iy) * k.w + ix;
                            if (x[i] > best || arg < 0) {
                                best = x[i];
                                arg = i;
                            }
                            sum += x[i];
                            count++;
                        }
                    }
                    if (max) {
                        out[o] = best;
                        dx[arg] += g[o];
                        continue;
                    }
                    int divisor = count;
                    if (!k.adaptive && k.includePad) {
                        divisor = (Math.min(r[1], k.h + k.pad[0]) - r[0]) * (Math.min(c[1], k.w + k.pad[1]) - c[0]);
                    }
                    out[o] = sum / divisor;
                    for (int iy = Math.max(0, r[0]); iy < Math.min(k.h, r[1]); iy++) {
                        for (int ix = Math.max(0, c[0]); ix < Math.min(k.w, c[1]); ix++) {
                            dx[(pl * k.h + iy) * k.w + ix] += g[o] / divisor;
                        }
                    }
                }
            }
        }
        return new double[][] {out, dx, {oh, ow}};
    }

    private static Tensor maxPool(Case k, Tensor x) {
        return k.ceil ? x.maxPool2d(k.kernel, k.stride, k.pad, true) : x.maxPool2d(k.kernel, k.stride, k.pad);
    }

    private static Tensor avgPool(Case k, Tensor x) {
        if (k.adaptive) {
            return x.adaptiveAvgPool2d(k.kernel[0], k.kernel[1]);
        }
        return k.ceil ? x.avgPool2d(k.kernel, k.stride, k.pad, k.includePad, true) : x.avgPool2d(k.kernel, k.stride, k.pad, k.includePad);
    }

    @Test
    void ceilModeOutputSizesFollowPyTorch() {
        // torch.nn.functional.max_pool2d(torch.zeros(1, 1, h, w), k, s, p, ceil_mode=True).shape, worked out by hand.
        Tensor x = Tensor.zeros(1, 1, 8, 5);
        assertArrayEquals(new int[] {1, 1, 4, 2}, x.maxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, true).shape());
        assertArrayEquals(new int[] {1, 1, 3, 2}, x.maxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}).shape());
        // 5 + 2 - 2 = 5 over stride 2 rounds up to 3, + 1 = 4 windows; the 4th would start at 6 - 1 = 5 >= 5: dropped.
        Tensor y = Tensor.zeros(1, 1, 5, 5);
        assertArrayEquals(new int[] {1, 1, 3, 3}, y.avgPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {1, 1}, true, true).shape());
        // GoogLeNet-style: 112 -> 3x3 stride 2 ceil -> 56.
        assertArrayEquals(new int[] {1, 1, 56, 56},
                Tensor.zeros(1, 1, 112, 112).maxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, true).shape());
    }

    @Test
    void ceilModeAverageDividesByTheWindowInsideThePaddedInput() {
        // 1x1x3x3 of ones, kernel 2, stride 2, no padding, ceil: windows rows {0,1}, {2}; with count_include_pad
        // PyTorch divides the last row/column of windows by the part inside the (unpadded) input: all ones.
        Tensor ones = Tensor.ones(1, 1, 3, 3);
        assertArrayEquals(new float[] {1, 1, 1, 1},
                ones.avgPool2d(new int[] {2, 2}, new int[] {2, 2}, new int[] {0, 0}, true, true).toFloatArray());
        // Kernel 3, stride 2, padding 1 on 4x4 (ceil): windows rows {-1..1}, {1..3}, {3..5}; the divisor counts the
        // window clipped to the padded input (rows -1..4): 3x3 = 9 first, 2x2 = 4 last (1 real element), 3x2 = 6 at
        // the top right (2 real) - PyTorch's avg_pool2d(ceil_mode=True) gives 4/9, 1/3 and 1/4 there.
        Tensor z = Tensor.ones(1, 1, 4, 4).avgPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, true, true);
        assertArrayEquals(new int[] {1, 1, 3, 3}, z.shape());
        assertEquals(4f / 9f, z.toFloatArray()[0], 1e-6f);
        assertEquals(1f / 4f, z.toFloatArray()[8], 1e-6f);
        assertEquals(2f / 6f, z.toFloatArray()[2], 1e-6f);
    }

    private static void checkAgainstReference(Case k, Tensor input, boolean max) {
        Tensor x = input.requiresGrad(true);
        Tensor y = max ? maxPool(k, x) : avgPool(k, x);
        Tensor g = Checks.randn(41, y.shape());
        y.backward(g);
        double[][] ref = reference(k, x.toFloatArray(), g.toFloatArray(), max);
        int[] shape = {k.n, k.c, (int) ref[2][0], (int) ref[2][1]};
        assertArrayEquals(shape, y.shape(), "shape");
        Checks.assertValues("forward " + k, ref[0], y.toFloatArray(), shape, 1e-5, 1e-6);
        Checks.assertValues("backward " + k, ref[1], x.grad().toFloatArray(), x.shape(), 1e-5, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    void maxPoolMatchesReference(Case k) {
        checkAgainstReference(k, Checks.randn(40, k.n, k.c, k.h, k.w), true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"windows", "adaptive"})
    void avgPoolMatchesReference(Case k) {
        checkAgainstReference(k, Checks.randn(42, k.n, k.c, k.h, k.w), false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windows")
    void maxPoolTiesGoToTheFirstMaximum(Case k) {
        // Few distinct values: most windows hold several copies of their maximum.
        float[] v = Checks.uniform(43, k.n * k.c * k.h * k.w, 0, 3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.floor(v[i]);
        }
        checkAgainstReference(k, Tensor.of(v, k.n, k.c, k.h, k.w), true);
    }

    @Test
    void maxPoolTiesExample() {
        Tensor x = Tensor.ones(1, 1, 2, 4).requiresGrad(true);
        Tensor y = x.maxPool2d(new int[] {2, 2}, new int[] {1, 2}, new int[] {0, 0});
        y.sum().backward();
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 0, 0, 0}, x.grad().toFloatArray());
    }

    @Test
    void maxPoolPaddingCountsAsMinusInfinity() {
        // All inputs negative: zero padding would win; -inf padding never does.
        Tensor x = Tensor.of(new float[] {-1, -2, -3, -4}, 1, 1, 2, 2).requiresGrad(true);
        Tensor y = x.maxPool2d(new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1});
        assertArrayEquals(new float[] {-1, -1, -2, -1, -1, -2, -3, -3, -4}, y.toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {4, 2, 2, 1}, x.grad().toFloatArray());
    }

    @Test
    void maxPoolOfMinusInfinityNeverPicksPadding() {
        Tensor x = Tensor.full(Float.NEGATIVE_INFINITY, 1, 1, 12, 12).requiresGrad(true);
        Tensor y = x.maxPool2d(new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1});
        for (float v : y.toFloatArray()) {
            assertEquals(Float.NEGATIVE_INFINITY, v);
        }
        y.sum().backward(); // an index into the padding would throw here
        assertEquals(36f, x.grad().sum().item());
    }

    @Test
    void maxPoolPropagatesNaN() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, 4}, 1, 1, 2, 2);
        assertTrue(Float.isNaN(x.maxPool2d(2).item()));
        float[] v = Checks.normal(51, 2 * 12 * 12);
        v[2 * 12 + 3] = Float.NaN; // plane 0, window (1, 1), second row
        v[144 + 5] = Float.NaN; // plane 1, window (0, 2)
        float[] y = Tensor.of(v, 1, 2, 12, 12).maxPool2d(2).toFloatArray();
        for (int i = 0; i < y.length; i++) {
            boolean nan = i == 7 || i == 36 + 2;
            assertTrue(Float.isNaN(y[i]) == nan, "output " + i + " is " + y[i]);
        }
    }

    @Test
    void avgPoolPaddingCountedOrNot() {
        Tensor x = Tensor.ones(1, 1, 2, 2);
        int[] k = {2, 2};
        int[] s = {1, 1};
        int[] pad = {1, 1};
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 1, 0.5f, 0.25f, 0.5f, 0.25f},
                x.avgPool2d(k, s, pad, true).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, x.avgPool2d(k, s, pad, false).toFloatArray());
    }

    @Test
    void globalAvgPool() {
        Tensor x = Checks.randn(44, 2, 3, 5, 7);
        Tensor y = x.globalAvgPool2d();
        assertArrayEquals(new int[] {2, 3, 1, 1}, y.shape());
        float[] expected = x.mean(3, true).mean(2, true).toFloatArray();
        Checks.assertValues("global", ConvolutionTest.doubles(expected), y.toFloatArray(), y.shape(), 1e-5, 1e-6);
        GradCheck.assertGradients(t -> t[0].globalAvgPool2d(), Checks.randn(45, 1, 2, 3, 3));
    }

    @Test
    void gradChecks() {
        Case max = windows().toList().get(1);
        Tensor distinct = Tensor.of(Checks.distinct(46, max.n * max.c * max.h * max.w), max.n, max.c, max.h, max.w);
        GradCheck.assertGradients(t -> maxPool(max, t[0]), distinct);
        Case avg = windows().toList().get(2);
        GradCheck.assertGradients(t -> avgPool(avg, t[0]), Checks.randn(47, avg.n, avg.c, avg.h, avg.w));
        Case ceil = windows().filter(Case::ceil).toList().get(3);
        GradCheck.assertGradients(t -> avgPool(ceil, t[0]), Checks.randn(52, ceil.n, ceil.c, ceil.h, ceil.w));
        Tensor distinctCeil = Tensor.of(Checks.distinct(53, ceil.n * ceil.c * ceil.h * ceil.w), ceil.n, ceil.c, ceil.h, ceil.w);
        GradCheck.assertGradients(t -> maxPool(ceil, t[0]), distinctCeil);
        Case ad = adaptive().findFirst().orElseThrow();
        GradCheck.assertGradients(t -> avgPool(ad, t[0]), Checks.randn(48, ad.n, ad.c, ad.h, ad.w));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"windows", "adaptive"})
    void composedDefaultsAgreeWithCpuKernels(Case k) {
        // The composed defaults over the kit device's primitives against the CPU's fused kernels.
        float[][] composed = pools(ComposedOnly.onTestDevice(), k);
        float[][] cpu = pools(TestDevice.cpuBackend(), k);
        int[] out = {composed[0].length};
        int[] in = {composed[1].length};
        if (!k.adaptive) {
            assertArrayEquals(cpu[2], composed[2], "max values");
            assertArrayEquals(cpu[3], composed[3], "max indices");
            assertArrayEquals(cpu[4], composed[4], "max backward");
        }
        Checks.assertValues("avg", ConvolutionTest.doubles(cpu[0]), composed[0], out, 1e-6, 1e-6);
        Checks.assertValues("avg backward", ConvolutionTest.doubles(cpu[1]), composed[1], in, 1e-6, 1e-6);
    }

    /**
     * Average pooling and its gradient, and for sliding windows max pooling, its indices (as floats)
     * and its gradient, of case {@code k} on {@code b}, read back to the host.
     */
    private static float[][] pools(Backend b, Case k) {
        Pool2dSpec s = k.spec();
        int[] in = {k.n, k.c, k.h, k.w};
        int[] out = {k.n, k.c, s.outH(), s.outW()};
        float[] v = Checks.uniform(49, Shape.numel(in), 0, 4);
        for (int i = 0; i < v.length; i += 3) {
            v[i] = (float) Math.floor(v[i]); // some ties
        }
        View x = ComposedOnly.view(b, v, in);
        View g = ComposedOnly.view(b, Checks.randn(50, out).toFloatArray(), out);
        View avg = ComposedOnly.zeros(b, DType.FLOAT32, out);
        b.avgPool2d(x, s, avg);
        View avgBack = ComposedOnly.zeros(b, DType.FLOAT32, in);
        b.avgPool2dBackward(g, s, avgBack);
        if (k.adaptive) {
            return new float[][] {b.readFloats(avg), b.readFloats(avgBack)};
        }
        View max = ComposedOnly.zeros(b, DType.FLOAT32, out);
        View idx = ComposedOnly.zeros(b, DType.INT32, out);
        b.maxPool2d(x, s, max, idx);
        View maxBack = ComposedOnly.zeros(b, DType.FLOAT32, in);
        b.maxPool2dBackward(g, idx, s, maxBack);
        int[] indices = b.readInts(idx);
        float[] asFloats = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            asFloats[i] = indices[i];
        }
        return new float[][] {b.readFloats(avg), b.readFloats(avgBack), b.readFloats(max), asFloats, b.readFloats(maxBack)};
    }

    @Test
    void errorMessages() {
        Tensor x = Tensor.zeros(2, 3, 5, 5);
        Checks.assertIae(() -> Tensor.zeros(3, 5, 5).maxPool2d(2), "maxPool2d", "4-D", "[3, 5, 5]");
        Checks.assertIae(() -> x.maxPool2d(new int[] {3, 3}, null, new int[] {2, 2}), "maxPool2d", "padding 2x2",
                "half the kernel 3x3");
        Checks.assertIae(() -> x.maxPool2d(6), "maxPool2d", "kernel 6x6", "larger than the padded input 5x5", "[2, 3, 5, 5]");
        Checks.assertIae(() -> x.avgPool2d(new int[] {2}, null, null, true), "avgPool2d", "kernel", "2 values");
        Checks.assertIae(() -> x.avgPool2d(new int[] {2, 2}, new int[] {0, 1}, null, true), "avgPool2d", "stride");
        Checks.assertIae(() -> x.adaptiveAvgPool2d(0, 2), "adaptiveAvgPool2d", "output size", "0x2");
        Checks.assertIae(() -> Tensor.zeros(2, 3).globalAvgPool2d(), "globalAvgPool2d", "[2, 3]");
        assertEquals(2, x.maxPool2d(2).size(2));
    }
}
