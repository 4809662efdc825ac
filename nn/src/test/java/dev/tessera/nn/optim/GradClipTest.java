package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GradClipTest {
    /** Two parameters with gradients [3, 4] and [12]: total 2-norm sqrt(9 + 16 + 144) = 13. */
    private static List<Tensor> params() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {3f, 4f}));
        b.setGrad(Tensor.of(new float[] {12f}));
        return List.of(a, b);
    }

    @ParameterizedTest
    @CsvSource({"6.5", "1", "0.01", "12.99"})
    void scalesAllGradientsByMaxNormOverTotal(float maxNorm) {
        List<Tensor> ps = params();
        assertEquals(13f, Optimizer.clipGradNorm(ps, maxNorm), 1e-6f);
        double coef = maxNorm / (13 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (4 * coef)}, ps.get(0).grad().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {(float) (12 * coef)}, ps.get(1).grad().toFloatArray(), 1e-6f);
    }

    @ParameterizedTest
    @CsvSource({"13.01", "20", "1000"})
    void leavesGradientsAloneWhenTheNormIsWithinTheLimit(float maxNorm) {
        List<Tensor> ps = params();
        assertEquals(13f, GradClip.clipGradNorm(ps, maxNorm), 1e-6f);
        assertArrayEquals(new float[] {3f, 4f}, ps.get(0).grad().toFloatArray());
        assertArrayEquals(new float[] {12f}, ps.get(1).grad().toFloatArray());
    }

    @Test
    void skipsParametersWithoutGradients() {
        Tensor none = Tensor.zeros(3).requiresGrad(true);
        List<Tensor> ps = List.of(params().get(0), none);
        assertEquals(5f, GradClip.clipGradNorm(ps, 1f), 1e-6f);
        assertArrayEquals(new float[] {0.6f, 0.8f}, ps.get(0).grad().toFloatArray(), 1e-6f);
        assertNull(none.grad());
        assertEquals(0f, GradClip.clipGradNorm(List.of(none), 1f));
    }

    @Test
    void otherNormTypes() {
        List<Tensor> ps = params();
        assertEquals(12f, GradClip.clipGradNorm(ps, 6f, Float.POSITIVE_INFINITY), 1e-6f);
        assertArrayEquals(new float[] {1.5f, 2f}, ps.get(0).grad().toFloatArray(), 1e-5f);
        List<Tensor> ps1 = params();
        assertEquals(19f, GradClip.clipGradNorm(ps1, 100f, 1f), 1e-5f);
    }

    @Test
    void clipGradValueClampsEachElement() {
        List<Tensor> ps = params();
        GradClip.clipGradValue(ps, 3.5f);
        assertArrayEquals(new float[] {3f, 3.5f}, ps.get(0).grad().toFloatArray());
        assertArrayEquals(new float[] {3.5f}, ps.get(1).grad().toFloatArray());
    }

    /** Gradients with both signs: [-3, 4] and [-12]; the largest magnitude is a negative element. */
    private static List<Tensor> mixedSigns() {
        Tensor a = Tensor.zeros(2).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {-3f, 4f}));
        b.setGrad(Tensor.of(new float[] {-12f}));
        return List.of(a, b);
    }

    @Test
    void clipGradValueClampsNegativeElementsToo() {
        Tensor a = Tensor.zeros(2, 2).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {-5f, 2f, -1f, -3.5f}, 2, 2));
        Tensor b = Tensor.zeros(3).requiresGrad(true);
        b.setGrad(Tensor.of(new float[] {0.5f, 7f, -3f}));
        GradClip.clipGradValue(List.of(a, b), 3f);
        assertArrayEquals(new float[] {-3f, 2f, -1f, -3f}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 3f, -3f}, b.grad().toFloatArray());
    }

    @ParameterizedTest(name = "norm type {0}: total {1}")
    @CsvSource({
        "Infinity, 12",              // max(|-3|, |4|, |-12|)
        "1, 19",                     // 3 + 4 + 12
        "2, 13",                     // sqrt(9 + 16 + 144)
        "3, 12.207055",              // (27 + 64 + 1728)^(1/3)
    })
    void normsOfNegativeGradientsUseMagnitudes(float normType, float total) {
        List<Tensor> ps = mixedSigns();
        float maxNorm = 6f;
        assertEquals(total, GradClip.clipGradNorm(ps, maxNorm, normType), 1e-4f);
        float coef = (float) (maxNorm / (total + 1e-6));
        assertArrayEquals(new float[] {-3f * coef, 4f * coef}, ps.get(0).grad().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {-12f * coef}, ps.get(1).grad().toFloatArray(), 1e-5f);
    }

    @Test
    void validatesArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(params(), -1f));
        assertEquals("clipGradNorm: maxNorm must be >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(params(), 1f, 0f));
        assertEquals("clipGradNorm: normType must be > 0 (or infinity), got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(params(), Float.NaN));
        assertEquals("clipGradValue: clipValue must be >= 0, got NaN", e.getMessage());
    }
}
