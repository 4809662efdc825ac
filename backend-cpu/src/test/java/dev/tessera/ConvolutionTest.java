package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tessera.kit.ComposedOnly;
import dev.tessera.Oracle.Nd;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Conv2dSpec;
import dev.tessera.spi.View;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tensor#conv2d} and {@link Tensor#conv1d} against a direct seven-loop double-precision
 * reference, forward and backward (input, weight and bias gradients), over stride, padding,
 * dilation and groups (including depthwise) combinations, odd and non-square sizes, batch 1 and
 * batches large enough to be split over threads; finite-difference checks on small cases; and the
 * error messages. The cases are chosen to reach every CPU path: unfolding (im2col + GEMM), the 1x1
 * path without unfolding, the shifted stride-1 path (16+ channels per group, 12+ columns), and the
 * direct depthwise kernels.
 *
 * <p>The default (composed) implementations of the SPI's convolution primitives are compared with
 * the CPU backend's fast kernels through {@link ComposedOnly}, a backend that forwards the required
 * primitives to the kit device's backend and keeps {@link Backend}'s default methods for the fused ones.
 */
class ConvolutionTest {

    /** One convolution: input {@code [n, c, h, w]}, weight {@code [oc, c/groups, kh, kw]}. */
    record Case(String name, int n, int c, int h, int w, int oc, int kh, int kw, int[] stride, int[] pad, int[] dil,
                int groups, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static int[] p(int a, int b) {
        return new int[] {a, b};
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("3x3 pad 1", 2, 3, 5, 5, 4, 3, 3, p(1, 1), p(1, 1), p(1, 1), 1, true),
                new Case("stride 2 odd sizes batch 1", 1, 2, 7, 9, 3, 3, 3, p(2, 2), p(1, 1), p(1, 1), 1, true),
                new Case("non-square kernel, mixed stride/pad", 2, 3, 6, 7, 2, 2, 3, p(1, 2), p(0, 1), p(1, 1), 1, false),
                new Case("dilation 2", 1, 2, 9, 8, 3, 3, 3, p(1, 1), p(2, 2), p(2, 2), 1, true),
                new Case("dilation (2,1) stride (1,2)", 3, 2, 8, 9, 2, 3, 2, p(1, 2), p(1, 0), p(2, 1), 1, true),
                new Case("groups 2", 2, 4, 6, 6, 6, 3, 3, p(1, 1), p(1, 1), p(1, 1), 2, true),
                new Case("depthwise", 2, 4, 7, 7, 4, 3, 3, p(1, 1), p(1, 1), p(1, 1), 4, true),
                new Case("depthwise x2 stride 2", 1, 3, 8, 7, 6, 3, 3, p(2, 2), p(1, 1), p(1, 1), 3, false),
                new Case("depthwise 5x3 dilation 2", 4, 2, 9, 10, 2, 5, 3, p(1, 1), p(2, 1), p(2, 2), 2, true),
                new Case("1x1", 3, 5, 4, 5, 7, 1, 1, p(1, 1), p(0, 0), p(1, 1), 1, true),
                new Case("1x1 stride 2", 2, 4, 5, 5, 3, 1, 1, p(2, 2), p(0, 0), p(1, 1), 1, false),
                new Case("1x1 padding 1", 1, 3, 3, 4, 2, 1, 1, p(1, 1), p(1, 1), p(1, 1), 1, true),
                new Case("kernel = input", 2, 3, 4, 5, 2, 4, 5, p(1, 1), p(0, 0), p(1, 1), 1, true),
                new Case("shifted 3x3 pad 1", 4, 16, 13, 14, 8, 3, 3, p(1, 1), p(1, 1), p(1, 1), 1, true),
                new Case("shifted batch 1", 1, 16, 12, 12, 5, 3, 3, p(1, 1), p(1, 1), p(1, 1), 1, true),
                new Case("shifted batch 3, 5x5 pad 2", 3, 17, 12, 15, 4, 5, 5, p(1, 1), p(2, 2), p(1, 1), 1, false),
                new Case("shifted no padding", 2, 16, 14, 15, 3, 3, 3, p(1, 1), p(0, 0), p(1, 1), 1, true),
                new Case("shifted 3x1 no padding", 2, 16, 14, 13, 3, 3, 1, p(1, 1), p(0, 0), p(1, 1), 1, true),
                new Case("shifted dilation 2 groups 2", 2, 32, 13, 14, 6, 3, 3, p(1, 1), p(1, 2), p(2, 2), 2, true),
                new Case("shifted 2x2 pad 1 (odd output)", 2, 16, 12, 13, 3, 2, 2, p(1, 1), p(1, 1), p(1, 1), 1, true),
                new Case("large grid, partial panels", 2, 41, 45, 45, 40, 3, 3, p(1, 1), p(1, 1), p(1, 1), 1, true),
                new Case("large grid stride 2 batch 1", 1, 20, 70, 69, 36, 3, 3, p(2, 2), p(1, 1), p(1, 1), 1, false));
    }

    private static Tensor x(Case k) {
        return Checks.randn(11, k.n, k.c, k.h, k.w);
    }

    private static Tensor weight(Case k) {
        return Checks.randn(12, k.oc, k.c / k.groups, k.kh, k.kw);
    }

    private static Tensor bias(Case k) {
        return k.bias ? Checks.randn(13, k.oc) : null;
    }

    private static int outSize(int in, int kernel, int stride, int pad, int dil) {
        return (in + 2 * pad - dil * (kernel - 1) - 1) / stride + 1;
    }

    /** The seven loops: n, o, oy, ox, c, ky, kx, in double precision. */
    static Nd reference(Case k, float[] x, float[] w, float[] b) {
        int oh = outSize(k.h, k.kh, k.stride[0], k.pad[0], k.dil[0]);
        int ow = outSize(k.w, k.kw, k.stride[1], k.pad[1], k.dil[1]);
        int cg = k.c / k.groups;
        int ocg = k.oc / k.groups;
        double[] out = new double[k.n * k.oc * oh * ow];
        for (int n = 0; n < k.n; n++) {
            for (int o = 0; o < k.oc; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double sum = b == null ? 0 : b[o];
                        for (int c = 0; c < cg; c++) {
                            for (int ky = 0; ky < k.kh; ky++) {
                                for (int kx = 0; kx < k.kw; kx++) {
                                    int iy = oy * k.stride[0] - k.pad[0] + ky * k.dil[0];
                                    int ix = ox * k.stride[1] - k.pad[1] + kx * k.dil[1];
                                    if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) {
                                        continue;
                                    }
                                    int ci = (o / ocg) * cg + c;
                                    sum += (double) x[((n * k.c + ci) * k.h + iy) * k.w + ix]
                                            * w[((o * cg + c) * k.kh + ky) * k.kw + kx];
                                }
                            }
                        }
                        out[((n * k.oc + o) * oh + oy) * ow + ox] = sum;
                    }
                }
            }
        }
        return new Nd(out, new int[] {k.n, k.oc, oh, ow});
    }

    /** The gradients of {@code sum(conv(x, w, b) * g)}: {dx, dw, db}, by the same loops. */
    static double[][] referenceGrad(Case k, float[] x, float[] w, float[] g) {
        int oh = outSize(k.h, k.kh, k.stride[0], k.pad[0], k.dil[0]);
        int ow = outSize(k.w, k.kw, k.stride[1], k.pad[1], k.dil[1]);
        int cg = k.c / k.groups;
        int ocg = k.oc / k.groups;
        double[] dx = new double[x.length];
        double[] dw = new double[w.length];
        double[] db = new double[k.oc];
        for (int n = 0; n < k.n; n++) {
            for (int o = 0; o < k.oc; o++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double gv = g[((n * k.oc + o) * oh + oy) * ow + ox];
                        db[o] += gv;
                        for (int c = 0; c < cg; c++) {
                            for (int ky = 0; ky < k.kh; ky++) {
                                for (int kx = 0; kx < k.kw; kx++) {
                                    int iy = oy * k.stride[0] - k.pad[0] + ky * k.dil[0];
                                    int ix = ox * k.stride[1] - k.pad[1] + kx * k.dil[1];
                                    if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) {
                                        continue;
                                    }
                                    int xi = ((n * k.c + (o / ocg) * cg + c) * k.h + iy) * k.w + ix;
                                    int wi = ((o * cg + c) * k.kh + ky) * k.kw + kx;
                                    dx[xi] += gv * w[wi];
                                    dw[wi] += gv * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw, db};
    }

    private static Tensor conv(Case k, Tensor x, Tensor w, Tensor b) {
        return x.conv2d(w, b, k.stride, k.pad, k.dil, k.groups);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesSevenLoopReference(Case k) {
        Tensor x = x(k);
        Tensor w = weight(k);
        Tensor b = bias(k);
        Nd expected = reference(k, x.toFloatArray(), w.toFloatArray(), b == null ? null : b.toFloatArray());
        Checks.assertClose("conv2d " + k, expected, conv(k, x, w, b), 1e-4, 1e-4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesReference(Case k) {
        Tensor x = x(k).requiresGrad(true);
        Tensor w = weight(k).requiresGrad(true);
        Tensor b = k.bias ? bias(k).requiresGrad(true) : null;
        Tensor out = conv(k, x, w, b);
        Tensor g = Checks.randn(14, out.shape());
        out.backward(g);
        double[][] ref = referenceGrad(k, x.toFloatArray(), w.toFloatArray(), g.toFloatArray());
        Checks.assertValues("dx " + k, ref[0], x.grad().toFloatArray(), x.shape(), 1e-4, 1e-4);
        Checks.assertValues("dw " + k, ref[1], w.grad().toFloatArray(), w.shape(), 1e-4, 1e-4);
        if (b != null) {
            Checks.assertValues("db " + k, ref[2], b.grad().toFloatArray(), b.shape(), 1e-4, 1e-4);
        }
    }

    /**
     * The CPU backend's GEMM-based paths (used where the Vector API is absent) forced through its
     * diagnostic switch {@code -Dtessera.conv.path=unfold|shifted}, read on every call.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fallbackPathsMatchReference(Case k) {
        for (String path : new String[] {"unfold", "shifted"}) {
            System.setProperty("tessera.conv.path", path);
            try {
                backwardMatchesReference(k);
                forwardMatchesSevenLoopReference(k);
            } finally {
                System.clearProperty("tessera.conv.path");
            }
        }
    }

    /** Finite differences on small cases (one per kind of geometry). */
    static Stream<Case> smallCases() {
        return cases().filter(k -> (long) k.n * k.c * k.h * k.w <= 200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallCases")
    void gradCheck(Case k) {
        if (k.bias) {
            GradCheck.assertGradients(t -> conv(k, t[0], t[1], t[2]), x(k), weight(k), bias(k));
        } else {
            GradCheck.assertGradients(t -> conv(k, t[0], t[1], null), x(k), weight(k));
        }
    }

    @Test
    void gradCheckShiftedPath() {
        Case k = new Case("shifted", 1, 16, 12, 12, 2, 3, 3, p(1, 1), p(1, 1), p(1, 1), 1, true);
        GradCheck.assertGradients(t -> conv(k, t[0], t[1], t[2]), x(k), weight(k), bias(k));
    }

    /** Per-task partial gradients are summed in a fixed order: repeated runs agree bit for bit. */
    @Test
    void gradientsAreReproducible() {
        for (Case k : cases().filter(c -> c.name.startsWith("shifted 3x3") || c.name.startsWith("3x3")).toList()) {
            Case big = new Case(k.name, 16, k.c, k.h, k.w, k.oc, k.kh, k.kw, k.stride, k.pad, k.dil, k.groups, k.bias);
            float[][] first = null;
            for (int run = 0; run < 3; run++) {
                Tensor x = Checks.randn(61, big.n, big.c, big.h, big.w).requiresGrad(true);
                Tensor w = weight(big).requiresGrad(true);
                conv(big, x, w, null).square().sum().backward();
                float[][] g = {x.grad().toFloatArray(), w.grad().toFloatArray()};
                if (first == null) {
                    first = g;
                } else {
                    assertArrayEquals(first[0], g[0], "input gradient, run " + run);
                    assertArrayEquals(first[1], g[1], "weight gradient, run " + run);
                }
            }
        }
    }

    @Test
    void onlyRequestedGradientsAreComputed() {
        Case k = cases().findFirst().orElseThrow();
        Tensor x = x(k);
        Tensor w = weight(k).requiresGrad(true);
        conv(k, x, w, null).sum().backward();
        assertNull(x.grad());
        assertArrayEquals(w.shape(), w.grad().shape());
    }

    @Test
    void nonContiguousInputs() {
        Case k = new Case("transposed input", 2, 3, 6, 5, 4, 3, 3, p(1, 1), p(1, 1), p(1, 1), 1, true);
        Tensor xt = Checks.randn(21, k.n, k.c, k.w, k.h).transpose(2, 3); // [2, 3, 5, 6] viewed as [2, 3, 6, 5]
        Tensor w = weight(k);
        Tensor b = bias(k);
        Nd expected = reference(k, xt.contiguous().toFloatArray(), w.toFloatArray(), b.toFloatArray());
        Checks.assertClose(expected, conv(k, xt, w, b), 1e-4, 1e-4);
    }

    @Test
    void conv1dMatchesReference() {
        // conv1d [N, C, L] is conv2d with height 1.
        Case k = new Case("conv1d", 2, 4, 1, 11, 6, 1, 3, p(1, 2), p(0, 1), p(1, 2), 2, true);
        Tensor x = Checks.randn(31, 2, 4, 11);
        Tensor w = Checks.randn(32, 6, 2, 3);
        Tensor b = Checks.randn(33, 6);
        Nd ref = reference(k, x.toFloatArray(), w.toFloatArray(), b.toFloatArray());
        Tensor y = x.conv1d(w, b, 2, 1, 2, 2);
        assertArrayEquals(new int[] {2, 6, ref.shape()[3]}, y.shape());
        Checks.assertValues("conv1d", ref.v(), y.toFloatArray(), y.shape(), 1e-4, 1e-4);
        GradCheck.assertGradients(t -> t[0].conv1d(t[1], t[2], 2, 1, 2, 2), x, w, b);
    }

    @Test
    void convenienceOverload() {
        Case k = cases().findFirst().orElseThrow();
        Tensor x = x(k);
        Tensor w = weight(k);
        Tensor b = bias(k);
        assertArrayEquals(conv(k, x, w, b).toFloatArray(), x.conv2d(w, b, 1, 1).toFloatArray());
    }

    @Test
    void errorMessagesNameTheOpAndShapes() {
        Tensor x = Tensor.zeros(2, 3, 5, 5);
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 4, 3, 3), null, 1, 0),
                "conv2d: input [2, 3, 5, 5] has 3 channels but weight [8, 4, 3, 3] expects 4 (groups 1)");
        Checks.assertIae(() -> Tensor.zeros(3, 5, 5).conv2d(Tensor.zeros(8, 3, 3, 3), null, 1, 0),
                "conv2d", "4-D", "[3, 5, 5]");
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 3, 3), null, 1, 0), "conv2d", "weight", "[8, 3, 3]");
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 3, 3, 3), Tensor.zeros(7), 1, 0),
                "conv2d", "bias [7]", "[8]");
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 3, 7, 7), null, 1, 0),
                "conv2d", "[2, 3, 5, 5]", "smaller than the kernel 7x7");
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 1, 3, 3), null, new int[] {1, 1}, new int[] {1, 1},
                new int[] {1, 1}, 3), "conv2d", "8 output channels", "groups 3");
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 3, 3, 3), null, new int[] {1}, new int[] {1, 1},
                new int[] {1, 1}, 1), "conv2d", "stride", "2 values");
        Checks.assertIae(() -> x.conv2d(Tensor.zeros(8, 3, 3, 3), null, 0, 0), "conv2d", "stride");
        Checks.assertIae(() -> Tensor.zeros(2, 3, 5).conv1d(Tensor.zeros(4, 2, 3), null, 1, 0, 1, 1),
                "conv1d: input [2, 3, 5] has 3 channels but weight [4, 2, 3] expects 2 (groups 1)");
        Checks.assertIae(() -> Tensor.zeros(2, 3, 5, 5).conv1d(Tensor.zeros(4, 3, 3), null, 1, 0, 1, 1), "conv1d", "3-D");
    }

    // ------------------------------------------------------------------ composed SPI defaults vs the CPU kernels

    static Conv2dSpec spec(Case k) {
        return new Conv2dSpec(k.n, k.c, k.h, k.w, k.oc, k.kh, k.kw, k.stride[0], k.stride[1], k.pad[0], k.pad[1],
                k.dil[0], k.dil[1], k.groups);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void composedDefaultsAgreeWithCpuKernels(Case k) {
        // The composed defaults over the kit device's primitives against the CPU's fused kernels.
        float[][] composed = convolutions(ComposedOnly.onTestDevice(), k);
        float[][] cpu = convolutions(TestDevice.cpuBackend(), k);
        String[] names = {"conv2d", "backwardInput", "backwardWeight", "im2col", "col2im"};
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals("im2col")) {
                assertArrayEquals(cpu[i], composed[i], "im2col"); // a copy: exact everywhere
            } else {
                double tol = names[i].equals("col2im") ? 1e-5 : 1e-4;
                Checks.assertValues(names[i], doubles(cpu[i]), composed[i], new int[] {cpu[i].length}, tol, tol);
            }
        }
    }

    /** conv2d, both gradients, im2col and col2im of case {@code k} on {@code b}, read back to the host. */
    private static float[][] convolutions(Backend b, Case k) {
        Conv2dSpec s = spec(k);
        int[] outShape = {k.n, k.oc, s.outH(), s.outW()};
        int[] colShape = {k.n, s.colRows(), s.colCols()};
        View x = ComposedOnly.view(b, x(k).toFloatArray(), k.n, k.c, k.h, k.w);
        View w = ComposedOnly.view(b, weight(k).toFloatArray(), k.oc, k.c / k.groups, k.kh, k.kw);
        View bias = k.bias ? ComposedOnly.view(b, bias(k).toFloatArray(), k.oc) : null;
        View g = ComposedOnly.view(b, Checks.randn(15, outShape).toFloatArray(), outShape);
        View y = ComposedOnly.zeros(b, DType.FLOAT32, outShape);
        b.conv2d(x, w, bias, s, y);
        View gx = ComposedOnly.zeros(b, DType.FLOAT32, k.n, k.c, k.h, k.w);
        b.conv2dBackwardInput(g, w, s, gx);
        View gw = ComposedOnly.zeros(b, DType.FLOAT32, w.shape());
        b.conv2dBackwardWeight(x, g, s, gw);
        View c = ComposedOnly.zeros(b, DType.FLOAT32, colShape);
        b.im2col(x, s, c);
        View cols = ComposedOnly.view(b, Checks.randn(16, colShape).toFloatArray(), colShape);
        View f = ComposedOnly.zeros(b, DType.FLOAT32, k.n, k.c, k.h, k.w);
        b.col2im(cols, s, f);
        return new float[][] {b.readFloats(y), b.readFloats(gx), b.readFloats(gw), b.readFloats(c), b.readFloats(f)};
    }

    static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
