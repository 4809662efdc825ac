package dev.tessera.opencl;

import static dev.tessera.opencl.SpiPair.contiguous;

import dev.tessera.DType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Pool2dSpec;
import dev.tessera.spi.View;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Max and average pooling, forward and backward, on OpenCL against the CPU backend: sliding
 * windows with stride and padding, adaptive windows, ties, NaN and -infinity, a strided input
 * (the OpenCL side reads an NHWC buffer through NCHW strides, the CPU a contiguous copy) and an
 * empty batch.
 */
class FusedPoolTest {

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of("2x2 stride 2", Pool2dSpec.window("t", 2, 3, 6, 8, 2, 2, 2, 2, 0, 0, false)),
                Arguments.of("2x2 stride 2, odd input", Pool2dSpec.window("t", 1, 2, 7, 5, 2, 2, 2, 2, 0, 0, false)),
                Arguments.of("3x2 stride 2x1 pad 1", Pool2dSpec.window("t", 2, 2, 7, 6, 3, 2, 2, 1, 1, 1, false)),
                Arguments.of("3x3 stride 1 pad 1 incl. pad", Pool2dSpec.window("t", 1, 3, 5, 5, 3, 3, 1, 1, 1, 1, true)),
                Arguments.of("3x3 stride 2 pad 1 incl. pad", Pool2dSpec.window("t", 2, 2, 8, 7, 3, 3, 2, 2, 1, 1, true)),
                Arguments.of("4x3 stride 3x2 pad 1", Pool2dSpec.window("t", 1, 2, 9, 10, 4, 3, 3, 2, 1, 1, false)),
                Arguments.of("adaptive 7x5 to 3x2", Pool2dSpec.adaptive("t", 2, 3, 7, 5, 3, 2)),
                Arguments.of("adaptive 4x4 to 6x5", Pool2dSpec.adaptive("t", 1, 2, 4, 4, 6, 5)),
                Arguments.of("global", Pool2dSpec.adaptive("t", 3, 4, 5, 6, 1, 1)),
                Arguments.of("empty batch", Pool2dSpec.window("t", 0, 3, 6, 6, 2, 2, 2, 2, 0, 0, false)));
    }

    /** Small integers (many ties), with NaN and -infinity sprinkled in when {@code special}. */
    private static float[] input(int n, boolean special) {
        float[] x = SpiPair.random(11, n, 3f);
        for (int i = 0; i < n; i++) {
            x[i] = Math.round(x[i]);
            if (special && i % 17 == 5) {
                x[i] = Float.NEGATIVE_INFINITY;
            }
            if (special && i % 29 == 11) {
                x[i] = Float.NaN;
            }
        }
        return x;
    }

    /** The input on both backends: contiguous on the CPU, an NHWC buffer seen through NCHW strides on OpenCL. */
    private static View[] inputs(SpiPair p, Pool2dSpec s, float[] x) {
        int n = s.batch();
        int c = s.channels();
        int h = s.height();
        int w = s.width();
        float[] nhwc = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        nhwc[((i * h + y) * w + xx) * c + ch] = x[((i * c + ch) * h + y) * w + xx];
                    }
                }
            }
        }
        int[] shape = {n, c, h, w};
        return new View[] {new View(p.cpu.upload(x), shape, contiguous(shape), 0),
            new View(p.ocl.upload(nhwc), shape, new int[] {h * w * c, 1, w * c, c}, 0)};
    }

    /**
     * Geometries the CPU's max pooling does not take (adaptive windows; padding on one axis only),
     * checked against a plain loop over each window instead.
     */
    static Stream<Arguments> oracleSpecs() {
        return Stream.of(
                Arguments.of("adaptive 7x5 to 3x2", Pool2dSpec.adaptive("t", 2, 3, 7, 5, 3, 2)),
                Arguments.of("adaptive 4x4 to 6x5", Pool2dSpec.adaptive("t", 1, 2, 4, 4, 6, 5)),
                Arguments.of("4x3 stride 3x2 pad 0x1", Pool2dSpec.window("t", 1, 2, 9, 10, 4, 3, 3, 2, 0, 1, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oracleSpecs")
    void maxPoolingMatchesALoopOverEachWindow(String name, Pool2dSpec s) {
        SpiPair p = new SpiPair();
        int inN = s.batch() * s.channels() * s.height() * s.width();
        int l = s.outH() * s.outW();
        int outN = s.batch() * s.channels() * l;
        int[] outShape = {s.batch(), s.channels(), s.outH(), s.outW()};
        float[] x = input(inN, true);
        View[] xv = inputs(p, s, x);
        View out = new View(p.ocl.allocate(DType.FLOAT32, outN), outShape, contiguous(outShape), 0);
        View idx = new View(p.ocl.allocate(DType.INT32, outN), outShape, contiguous(outShape), 0);
        float[] go = SpiPair.random(9, outN, 1f);
        int[] inShape = {s.batch(), s.channels(), s.height(), s.width()};
        View gi = new View(p.ocl.allocate(DType.FLOAT32, inN), inShape, contiguous(inShape), 0);
        p.ocl.maxPool2d(xv[1], s, out, idx);
        p.ocl.maxPool2dBackward(new View(p.ocl.upload(go), outShape, contiguous(outShape), 0), idx, s, gi);
        float[] got = p.ocl.readFloats(out);
        int[] gotIdx = p.ocl.readInts(idx);
        float[] gotGrad = p.ocl.readFloats(gi);
        float[] grad = new float[inN];
        int hw = s.height() * s.width();
        for (int plane = 0; plane < s.batch() * s.channels(); plane++) {
            for (int oy = 0; oy < s.outH(); oy++) {
                for (int ox = 0; ox < s.outW(); ox++) {
                    float best = Float.NaN;
                    int at = -1;
                    for (int iy = Math.max(0, s.startH(oy)); iy < Math.min(s.height(), s.endH(oy)); iy++) {
                        for (int ix = Math.max(0, s.startW(ox)); ix < Math.min(s.width(), s.endW(ox)); ix++) {
                            float v = x[plane * hw + iy * s.width() + ix];
                            if (at < 0 || Float.isNaN(v) || v > best) {
                                best = v;
                                at = iy * s.width() + ix;
                            }
                        }
                    }
                    int o = plane * l + oy * s.outW() + ox;
                    org.junit.jupiter.api.Assertions.assertEquals(at, gotIdx[o], name + ": index of output " + o);
                    org.junit.jupiter.api.Assertions.assertEquals(best, got[o], name + ": value of output " + o);
                    grad[plane * hw + at] += go[o];
                }
            }
        }
        SpiPair.assertClose(grad, gotGrad, name + ": gradient");
    }

    /** The sliding-window geometries (the CPU's max pooling takes no adaptive windows). */
    static Stream<Arguments> windowSpecs() {
        return specs().filter(a -> !((Pool2dSpec) a.get()[1]).adaptive());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("windowSpecs")
    void maxPoolingAndItsGradientMatchTheCpu(String name, Pool2dSpec s) {
        SpiPair p = new SpiPair();
        for (boolean special : new boolean[] {false, true}) {
            int inN = s.batch() * s.channels() * s.height() * s.width();
            int outN = s.batch() * s.channels() * s.outH() * s.outW();
            int[] outShape = {s.batch(), s.channels(), s.outH(), s.outW()};
            int[] inShape = {s.batch(), s.channels(), s.height(), s.width()};
            View[] x = inputs(p, s, input(inN, special));
            SpiPair.Views out = p.zeros(DType.FLOAT32, outN + 2, outShape, contiguous(outShape), 2);
            SpiPair.Views idx = p.zeros(DType.INT32, outN + 1, outShape, contiguous(outShape), 1);
            SpiPair.Views go = p.floats(SpiPair.random(3, outN, 1f), outShape, contiguous(outShape), 0);
            SpiPair.Views gi = p.floats(SpiPair.random(4, inN + 3, 1f), inShape, contiguous(inShape), 3);
            for (int side = 0; side < 2; side++) {
                Backend b = side == 0 ? p.cpu : p.ocl;
                b.maxPool2d(x[side], s, out.on(side), idx.on(side));
                b.maxPool2dBackward(go.on(side), idx.on(side), s, gi.on(side));
            }
            String what = name + (special ? " with NaN and -inf" : "");
            p.assertSameFloats(out, what + ": values");
            p.assertSameInts(idx, what + ": indices");
            p.assertSameFloats(gi, what + ": gradient");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void averagePoolingAndItsGradientMatchTheCpu(String name, Pool2dSpec s) {
        SpiPair p = new SpiPair();
        int inN = s.batch() * s.channels() * s.height() * s.width();
        int outN = s.batch() * s.channels() * s.outH() * s.outW();
        int[] outShape = {s.batch(), s.channels(), s.outH(), s.outW()};
        int[] inShape = {s.batch(), s.channels(), s.height(), s.width()};
        View[] x = inputs(p, s, SpiPair.random(5, inN, 2f));
        SpiPair.Views out = p.zeros(DType.FLOAT32, outN + 1, outShape, contiguous(outShape), 1);
        SpiPair.Views go = p.floats(SpiPair.random(6, outN + 2, 1f), outShape, contiguous(outShape), 2);
        SpiPair.Views gi = p.floats(SpiPair.random(7, inN, 1f), inShape, contiguous(inShape), 0);
        for (int side = 0; side < 2; side++) {
            Backend b = side == 0 ? p.cpu : p.ocl;
            b.avgPool2d(x[side], s, out.on(side));
            b.avgPool2dBackward(go.on(side), s, gi.on(side));
        }
        p.assertSameFloats(out, name + ": values");
        p.assertSameFloats(gi, name + ": gradient");
    }
}
