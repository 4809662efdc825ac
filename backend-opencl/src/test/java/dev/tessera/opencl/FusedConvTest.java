package dev.tessera.opencl;

import static dev.tessera.opencl.SpiPair.contiguous;

import dev.tessera.DType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Conv2dSpec;
import dev.tessera.spi.View;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * im2col, col2im and the convolution with its two gradients on OpenCL against the CPU backend:
 * groups (including depthwise), stride, padding, dilation, with and without bias, odd sizes, a
 * strided input (an NHWC buffer seen through NCHW strides), and the batch split into chunks.
 */
class FusedConvTest {

    /** (name, spec, bias). */
    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of("3x3 pad 1", spec(2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), true),
                Arguments.of("LeNet conv1", spec(3, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1), true),
                Arguments.of("groups 2, stride 2x1, dilation 1x2", spec(3, 4, 9, 8, 6, 3, 2, 2, 1, 1, 0, 1, 2, 2), true),
                Arguments.of("depthwise", spec(2, 6, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6), false),
                Arguments.of("depthwise multiplier 2, stride 2", spec(2, 3, 8, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 3), true),
                Arguments.of("1x1 stride 2", spec(2, 2, 6, 7, 3, 1, 1, 2, 2, 0, 0, 1, 1, 1), true),
                Arguments.of("groups 4, stride 3x2, dilation 2", spec(1, 4, 11, 10, 8, 3, 3, 3, 2, 2, 1, 2, 2, 4), true),
                Arguments.of("kernel as large as the padded input", spec(2, 2, 3, 4, 3, 5, 4, 1, 1, 1, 0, 1, 1, 1), false),
                Arguments.of("one image, one channel", spec(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1), true));
    }

    private static Conv2dSpec spec(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw, int dh,
                                   int dw, int g) {
        return new Conv2dSpec(n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g);
    }

    /** {@code x} ([N, C, H, W] contiguous) on the CPU and, on OpenCL, stored NHWC and seen through NCHW strides. */
    private static View[] stridedInput(SpiPair p, Conv2dSpec s, float[] x) {
        int n = s.batch();
        int c = s.inChannels();
        int h = s.height();
        int w = s.width();
        float[] nhwc = new float[x.length + 1];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        nhwc[1 + ((i * h + y) * w + xx) * c + ch] = x[((i * c + ch) * h + y) * w + xx];
                    }
                }
            }
        }
        int[] shape = {n, c, h, w};
        return new View[] {new View(p.cpu.upload(x), shape, contiguous(shape), 0),
            new View(p.ocl.upload(nhwc), shape, new int[] {h * w * c, 1, w * c, c}, 1)};
    }

    private static int[] xShape(Conv2dSpec s) {
        return new int[] {s.batch(), s.inChannels(), s.height(), s.width()};
    }

    private static int[] outShape(Conv2dSpec s) {
        return new int[] {s.batch(), s.outChannels(), s.outH(), s.outW()};
    }

    private static int numel(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void im2colAndCol2imMatchTheCpu(String name, Conv2dSpec s, boolean bias) {
        SpiPair p = new SpiPair();
        int[] colsShape = {s.batch(), s.colRows(), s.colCols()};
        float[] x = SpiPair.random(1, numel(xShape(s)), 2f);
        View[] xs = stridedInput(p, s, x);
        SpiPair.Views xc = p.floats(x, xShape(s), contiguous(xShape(s)), 0);
        SpiPair.Views cols = p.zeros(DType.FLOAT32, numel(colsShape) + 2, colsShape, contiguous(colsShape), 2);
        SpiPair.Views colsOfStrided = p.zeros(DType.FLOAT32, numel(colsShape), colsShape, contiguous(colsShape), 0);
        for (int side = 0; side < 2; side++) {
            Backend b = side == 0 ? p.cpu : p.ocl;
            b.im2col(xc.on(side), s, cols.on(side));
            b.im2col(xs[side], s, colsOfStrided.on(side));
        }
        p.assertSameFloats(cols, name + ": im2col");
        p.assertSameFloats(colsOfStrided, name + ": im2col of a strided input");
        // col2im adds into x: into a contiguous image with an offset, and into the NHWC-strided one
        SpiPair.Views g = p.floats(SpiPair.random(2, numel(colsShape), 1f), colsShape, contiguous(colsShape), 0);
        SpiPair.Views into = p.floats(SpiPair.random(3, numel(xShape(s)) + 1, 1f), xShape(s), contiguous(xShape(s)), 1);
        int[] nhwcStrides = {s.height() * s.width() * s.inChannels(), 1, s.width() * s.inChannels(), s.inChannels()};
        SpiPair.Views intoStrided = p.floats(SpiPair.random(4, numel(xShape(s)), 1f), xShape(s), nhwcStrides, 0);
        for (int side = 0; side < 2; side++) {
            Backend b = side == 0 ? p.cpu : p.ocl;
            b.col2im(g.on(side), s, into.on(side));
            b.col2im(g.on(side), s, intoStrided.on(side));
        }
        p.assertSameFloats(into, name + ": col2im");
        p.assertSameFloats(intoStrided, name + ": col2im into a strided image");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void convolutionAndItsGradientsMatchTheCpu(String name, Conv2dSpec s, boolean bias) {
        compare(name, s, bias);
    }

    @Test
    void chunksOfTheBatchGiveTheSameResults() {
        OpenClBackend ocl = ClTestDevice.backend();
        long saved = ocl.convBudget();
        try {
            ocl.convBudget(1); // one image per chunk
            compare("one image per chunk", spec(3, 4, 9, 8, 6, 3, 2, 2, 1, 1, 0, 1, 2, 2), true);
            compare("one image per chunk, one group", spec(3, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), true);
            ocl.convBudget(2L * 3 * 9 * 42); // two images of a 3-channel 3x3 unfolding of 6x7 outputs per chunk
            compare("two images per chunk", spec(5, 3, 8, 9, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1), true);
        } finally {
            ocl.convBudget(saved);
        }
    }

    private static void compare(String name, Conv2dSpec s, boolean bias) {
        SpiPair p = new SpiPair();
        int[] ws = {s.outChannels(), s.inPerGroup(), s.kernelH(), s.kernelW()};
        float[] x = SpiPair.random(5, numel(xShape(s)), 1f);
        View[] xs = stridedInput(p, s, x);
        SpiPair.Views w = p.floats(SpiPair.random(6, numel(ws) + 3, 0.5f), ws, contiguous(ws), 3);
        SpiPair.Views bv = bias ? p.floats(SpiPair.random(7, s.outChannels() + 1, 1f), new int[] {s.outChannels()},
                new int[] {1}, 1) : null;
        SpiPair.Views out = p.zeros(DType.FLOAT32, numel(outShape(s)) + 1, outShape(s), contiguous(outShape(s)), 1);
        SpiPair.Views go = p.floats(SpiPair.random(8, numel(outShape(s)), 1f), outShape(s), contiguous(outShape(s)), 0);
        SpiPair.Views gx = p.zeros(DType.FLOAT32, numel(xShape(s)), xShape(s), contiguous(xShape(s)), 0);
        SpiPair.Views gw = p.zeros(DType.FLOAT32, numel(ws) + 2, ws, contiguous(ws), 2);
        for (int side = 0; side < 2; side++) {
            Backend b = side == 0 ? p.cpu : p.ocl;
            b.conv2d(xs[side], w.on(side), bv == null ? null : bv.on(side), s, out.on(side));
            b.conv2dBackwardInput(go.on(side), w.on(side), s, gx.on(side));
            b.conv2dBackwardWeight(xs[side], go.on(side), s, gw.on(side));
        }
        float rel = 1e-4f;
        float abs = 1e-5f;
        float[][] r = p.storageFloats(out);
        SpiPair.assertClose(r[0], r[1], rel, abs, name + ": conv2d");
        r = p.storageFloats(gx);
        SpiPair.assertClose(r[0], r[1], rel, abs, name + ": input gradient");
        r = p.storageFloats(gw);
        SpiPair.assertClose(r[0], r[1], rel, abs, name + ": weight gradient");
    }
}
