package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
 * {@link FusedLayerNorm}: the output and the three gradients against PyTorch's layer-norm formulas
 * evaluated in double precision, with and without the affine parameters, on row lengths below,
 * at and above a vector's width and odd ones, strided inputs, several normalized dimensions; the
 * gradient checker; the SPI's composed default against the backend's kernel; the same bits with one
 * and two threads; empty inputs; and the error messages.
 */
class FusedLayerNormTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        int[][] shapes = {{1, 1}, {3, 5}, {7, 16}, {4, 33}, {300, 128}, {2, 3, 1000}};
        for (int[] shape : shapes) {
            for (boolean affine : new boolean[] {true, false}) {
                out.add(Arguments.of(shape, affine, false));
            }
        }
        out.add(Arguments.of(new int[] {6, 40}, true, true));
        return out.stream();
    }

    /** Inputs with a mean far from 0 and a spread that differs per row, as activations have. */
    private static Tensor input(int[] shape, boolean strided) {
        Tensor x = strided ? Checks.randn(11, shape[1], shape[0]).t() : Checks.randn(11, shape);
        Tensor offset = Checks.randn(12, x.shape()[0], 1).mul(3f);
        return x.mul(x.shape()[0] > 1 ? 2f : 1f).add(shape.length == 2 ? offset : offset.unsqueeze(2)).detach();
    }

    @ParameterizedTest(name = "{0} affine={1} strided={2}")
    @MethodSource("cases")
    void followsTheFormulasInDoublePrecision(int[] shape, boolean affine, boolean strided) {
        int n = shape[shape.length - 1];
        Tensor x = input(shape, strided).requiresGrad(true);
        Tensor w = affine ? Checks.randn(13, n).add(1f).detach().requiresGrad(true) : null;
        Tensor b = affine ? Checks.randn(14, n).detach().requiresGrad(true) : null;
        float eps = 1e-5f;
        Tensor y = FusedLayerNorm.compute(x, new int[] {n}, w, b, eps);
        Tensor gradOut = Checks.randn(15, shape);
        y.backward(gradOut);

        double[][] oracle = LayerNormOracle.of(x.toFloatArray(), affine ? w.toFloatArray() : null,
                affine ? b.toFloatArray() : null, gradOut.toFloatArray(), n, eps);
        assertArrayEquals(shape, y.shape());
        assertNear("output", oracle[0], y.toFloatArray());
        assertNear("input gradient", oracle[1], x.grad().toFloatArray());
        if (affine) {
            assertNear("weight gradient", oracle[2], w.grad().toFloatArray());
            assertNear("bias gradient", oracle[3], b.grad().toFloatArray());
        }
    }

    private static void assertNear(String what, double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-5 * Math.max(1, scale) + 2e-5 * Math.abs(expected[i]);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + " element " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    @Test
    void gradientsPassTheChecker() {
        GradCheck.assertGradients(in -> FusedLayerNorm.compute(in[0], new int[] {2, 3}, in[1], in[2], 1e-3f)
                        .mul(Checks.randn(20, 4, 2, 3)).sum(),
                Checks.randn(21, 4, 2, 3), Checks.randn(22, 2, 3), Checks.randn(23, 2, 3));
    }

    @Test
    void theComposedDefaultAgreesWithTheKernel() {
        int rows = 37;
        int n = 70;
        Backend device = TestDevice.backend();
        Backend composed = ComposedOnly.onTestDevice();
        float[] x = input(new int[] {rows, n}, false).toFloatArray();
        float[] w = Checks.randn(31, n).toFloatArray();
        float[] b = Checks.randn(32, n).toFloatArray();
        float[] go = Checks.randn(33, rows, n).toFloatArray();
        float[][] kernel = run(device, x, w, b, go, rows, n);
        float[][] defaults = run(composed, x, w, b, go, rows, n);
        String[] names = {"output", "mean", "rstd", "input gradient", "weight gradient", "bias gradient"};
        for (int i = 0; i < names.length; i++) {
            TestDevice.assertClose(names[i], defaults[i], kernel[i], TestDevice.widen(1e-4, 1e-4, TestDevice.Kind.REDUCTION));
        }
    }

    private static float[][] run(Backend be, float[] x, float[] w, float[] b, float[] go, int rows, int n) {
        View xv = ComposedOnly.view(be, x, rows, n);
        View out = ComposedOnly.zeros(be, DType.FLOAT32, rows, n);
        View mean = ComposedOnly.zeros(be, DType.FLOAT32, rows);
        View rstd = ComposedOnly.zeros(be, DType.FLOAT32, rows);
        View wv = ComposedOnly.view(be, w, n);
        be.layerNorm(xv, wv, ComposedOnly.view(be, b, n), 1e-5f, out, mean, rstd);
        View gx = ComposedOnly.zeros(be, DType.FLOAT32, rows, n);
        View gw = ComposedOnly.zeros(be, DType.FLOAT32, n);
        View gb = ComposedOnly.zeros(be, DType.FLOAT32, n);
        be.layerNormBackward(xv, wv, mean, rstd, ComposedOnly.view(be, go, rows, n), gx, gw, gb);
        return new float[][] {be.readFloats(out), be.readFloats(mean), be.readFloats(rstd), be.readFloats(gx),
            be.readFloats(gw), be.readFloats(gb)};
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        float[][] one;
        try (KernelThreads limit = KernelThreads.limit(1)) {
            one = forwardBackward();
        }
        float[][] all = forwardBackward();
        for (int i = 0; i < one.length; i++) {
            assertArrayEquals(one[i], all[i], "result " + i);
        }
    }

    private static float[][] forwardBackward() {
        Tensor x = input(new int[] {513, 96}, false).requiresGrad(true);
        Tensor w = Checks.randn(41, 96).detach().requiresGrad(true);
        Tensor b = Checks.randn(42, 96).detach().requiresGrad(true);
        Tensor y = FusedLayerNorm.compute(x, new int[] {96}, w, b, 1e-5f);
        y.backward(Checks.randn(43, 513, 96));
        return new float[][] {y.toFloatArray(), x.grad().toFloatArray(), w.grad().toFloatArray(), b.grad().toFloatArray()};
    }

    @Test
    void emptyInputsGiveEmptyOutputsAndZeroParameterGradients() {
        Tensor x = Tensor.zeros(0, 4).requiresGrad(true);
        Tensor w = Tensor.ones(4).requiresGrad(true);
        Tensor b = Tensor.zeros(4).requiresGrad(true);
        Tensor y = FusedLayerNorm.compute(x, new int[] {4}, w, b, 1e-5f);
        assertArrayEquals(new int[] {0, 4}, y.shape());
        y.sum().backward();
        assertArrayEquals(new float[4], w.grad().toFloatArray());
        assertArrayEquals(new float[4], b.grad().toFloatArray());
    }

    @Test
    void onlyTheWantedGradientsAreComputed() {
        Tensor x = input(new int[] {5, 8}, false);
        Tensor w = Checks.randn(51, 8).detach().requiresGrad(true);
        FusedLayerNorm.compute(x, new int[] {8}, w, null, 1e-5f).sum().backward();
        assertNull(x.grad());
        assertEquals(8, w.grad().toFloatArray().length);
    }

    @Test
    void badArgumentsAreNamed() {
        Tensor x = Tensor.zeros(2, 3);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> FusedLayerNorm.compute(x, new int[] {4}, null, null, 1e-5f));
        assertEquals("layerNorm: input of shape [2, 3] does not end with the normalized shape [4]", shape.getMessage());
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> FusedLayerNorm.compute(x, new int[] {3}, Tensor.ones(2), null, 1e-5f));
        assertEquals("layerNorm: weight of shape [2] (FLOAT32) must have the normalized shape [3] (FLOAT32)",
                weight.getMessage());
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
                () -> FusedLayerNorm.compute(x, new int[] {3}, null, null, -1f));
        assertEquals("layerNorm: eps must be >= 0, got -1.0", eps.getMessage());
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                () -> FusedLayerNorm.compute(Tensor.ofInts(new int[] {1, 2, 3}, 3), new int[] {3}, null, null, 1e-5f));
        assertEquals("layerNorm: the input must be FLOAT32, got INT32", dtype.getMessage());
    }
}
