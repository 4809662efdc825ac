package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SGDTest {
    static final float[] P0 = {1f, -2f, 0.5f};
    /** The gradient fed at steps 1, 2, 3 (set by hand, so the expected values do not depend on a loss). */
    static final float[][] GRADS = {{0.5f, -1f, 2f}, {0.25f, 0.5f, -1f}, {-1f, 0.75f, 0.5f}};

    static Tensor param() {
        return Tensor.of(P0.clone()).requiresGrad(true);
    }

    /** PyTorch's SGD written out in double precision, one element at a time. */
    static double[] reference(double lr, double momentum, double dampening, double wd, boolean nesterov, int steps) {
        double[] p = new double[P0.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = P0[i];
        }
        double[] buf = new double[p.length];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < p.length; i++) {
                double g = GRADS[s][i] + wd * p[i];
                if (momentum != 0) {
                    buf[i] = s == 0 ? g : momentum * buf[i] + (1 - dampening) * g;
                    g = nesterov ? g + momentum * buf[i] : buf[i];
                }
                p[i] -= lr * g;
            }
        }
        return p;
    }

    static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    static void run(Optimizer opt, Tensor p, int steps) {
        for (int s = 0; s < steps; s++) {
            p.setGrad(Tensor.of(GRADS[s].clone()));
            opt.step();
        }
    }

    @Test
    void plainStepsByHand() {
        Tensor p = param();
        SGD opt = new SGD(List.of(p), 0.1f);
        run(opt, p, 1);
        assertArrayEquals(new float[] {0.95f, -1.9f, 0.3f}, p.toFloatArray(), 1e-6f);
        run(opt, p, 1); // the same gradient again
        assertArrayEquals(new float[] {0.9f, -1.8f, 0.1f}, p.toFloatArray(), 1e-6f);
    }

    @Test
    void momentumStepsByHand() {
        // b1 = g1 = 0.5 -> p = 1 - 0.1*0.5 = 0.95; b2 = 0.9*0.5 + 0.25 = 0.7 -> p = 0.88;
        // b3 = 0.9*0.7 - 1 = -0.37 -> p = 0.917 (first element)
        Tensor p = param();
        run(new SGD(List.of(p), 0.1f, 0.9f), p, 3);
        assertEquals(0.917f, p.toFloatArray()[0], 1e-6f);
        assertClose(reference(0.1, 0.9, 0, 0, false, 3), p.toFloatArray());
    }

    @ParameterizedTest
    @CsvSource({
        "0.1, 0, 0, 0, false", "0.05, 0.9, 0, 0, false", "0.1, 0.9, 0.5, 0, false", "0.1, 0.9, 0, 0, true",
        "0.1, 0, 0, 0.1, false", "0.2, 0.8, 0.1, 0.01, false", "0.2, 0.5, 0, 0.05, true"})
    void threeStepsMatchPyTorchsFormula(float lr, float momentum, float dampening, float wd, boolean nesterov) {
        Tensor p = param();
        Tensor before = p;
        SGD opt = new SGD(List.of(p), lr, momentum, dampening, wd, nesterov);
        run(opt, p, 3);
        assertClose(reference(lr, momentum, dampening, wd, nesterov, 3), p.toFloatArray());
        assertSame(before, opt.parameters().get(0), "the parameter object is kept and updated in place");
        assertTrue(p.requiresGrad() && p.isLeaf());
    }

    @Test
    void nesterovFirstStepByHand() {
        // b1 = g = 0.5; g' = g + 0.9 * b1 = 0.95 -> p = 1 - 0.1 * 0.95 = 0.905
        Tensor p = param();
        run(new SGD(List.of(p), 0.1f, 0.9f, 0f, 0f, true), p, 1);
        assertEquals(0.905f, p.toFloatArray()[0], 1e-6f);
    }

    @Test
    void twoGroupsUseTheirOwnLearningRateAndMomentum() {
        Tensor a = param();
        Tensor b = param();
        SGD opt = new SGD(List.of(new ParamGroup(List.of(a)), new ParamGroup(List.of(b), 0.01f).set(SGD.MOMENTUM, 0)),
                new SGD.Options().lr(0.1f).momentum(0.9f));
        for (int s = 0; s < 3; s++) {
            a.setGrad(Tensor.of(GRADS[s].clone()));
            b.setGrad(Tensor.of(GRADS[s].clone()));
            opt.step();
        }
        assertClose(reference(0.1, 0.9, 0, 0, false, 3), a.toFloatArray());
        assertClose(reference(0.01, 0, 0, 0, false, 3), b.toFloatArray());
        assertEquals(0.1f, opt.lr(0));
        assertEquals(0.01f, opt.lr(1));
        assertEquals(0.9, opt.paramGroups().get(0).get(SGD.MOMENTUM), 1e-7);
    }

    @Test
    void gradientIsNotModifiedByTheStep() {
        Tensor p = param();
        Tensor g = Tensor.of(GRADS[0].clone());
        p.setGrad(g);
        new SGD(List.of(p), 0.1f, 0.9f, 0f, 0.5f, true).step();
        assertArrayEquals(GRADS[0], g.toFloatArray());
    }

    @Test
    void validatesArgumentsNamingTheBadValue() {
        List<Tensor> ps = List.of(param());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, -1f));
        assertEquals("SGD: lr must be >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1f, -0.5f));
        assertEquals("SGD: momentum must be >= 0, got -0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1f, 0f, 0f, 0f, true));
        assertTrue(e.getMessage().startsWith("SGD: nesterov needs momentum > 0 and dampening 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1f, 0.9f, 0.1f, 0f, true));
        assertTrue(e.getMessage().contains("dampening 0.1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1f, 0f, 0f, -1e-4f, false));
        assertEquals("SGD: weight_decay must be >= 0, got -1.0E-4", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(new ParamGroup(List.of(param())),
                new ParamGroup(List.of(param()), -2f)), new SGD.Options()));
        assertEquals("SGD: lr must be >= 0, got -2.0 (param group 1)", e.getMessage());
    }
}
