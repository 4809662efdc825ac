package dev.tessera;

import static dev.tessera.Checks.assertAllFinite;
import static dev.tessera.Checks.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Oracle.Nd;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Activations: forward values against double-precision references (GELU against an exact erf
 * computed by series and continued fraction), softmax and log-softmax along every dimension of a
 * 3-D tensor and on non-contiguous inputs, finiteness for logits of +-1000, the derivatives at and
 * around 0 (PyTorch's conventions: ReLU'(0) = 0, LeakyReLU'(0) = alpha, ELU'(0) = alpha) and
 * finite gradients for inputs of +-100.
 */
class ActivationTest {

    /** An activation with its reference function and derivative. */
    record Act(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, DoubleUnaryOperator grad) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Act> activations() {
        return Stream.of(
                new Act("relu", Tensor::relu, v -> Math.max(v, 0), v -> v > 0 ? 1 : 0),
                new Act("sigmoid", Tensor::sigmoid, SpecialFunctions::sigmoid, v -> SpecialFunctions.sigmoid(v) * (1 - SpecialFunctions.sigmoid(v))),
                new Act("tanh", Tensor::tanh, Math::tanh, v -> 1 - Math.tanh(v) * Math.tanh(v)),
                new Act("leakyRelu(0.1)", t -> t.leakyRelu(0.1f), v -> v > 0 ? v : 0.1 * v, v -> v > 0 ? 1 : 0.1),
                new Act("elu(1)", t -> t.elu(1f), v -> v > 0 ? v : Math.expm1(v), v -> v > 0 ? 1 : Math.exp(v)),
                new Act("elu(0.5)", t -> t.elu(0.5f), v -> v > 0 ? v : 0.5 * Math.expm1(v), v -> v > 0 ? 1 : 0.5 * Math.exp(v)),
                new Act("gelu", Tensor::gelu, SpecialFunctions::gelu, SpecialFunctions::geluGrad),
                new Act("softplus", Tensor::softplus, SpecialFunctions::softplus, SpecialFunctions::sigmoid));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void forwardMatchesReference(Act act) {
        float[] a = Checks.uniform(51, 200, -8, 8);
        a[0] = 0f;
        a[1] = -0.001f;
        a[2] = 0.001f;
        Nd x = Oracle.nd(a, 8, 25);
        assertClose(act.name, Oracle.map(x, act.ref), act.op.apply(Tensor.of(a, 8, 25)), 1e-5, 1e-6);
        // the same on a transposed view
        Tensor view = Tensor.of(a, 8, 25).t();
        assertClose(act.name + " on a view", Oracle.map(Oracle.transpose(x, 0, 1), act.ref), act.op.apply(view), 1e-5, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void extremeInputsStayFiniteForwardAndBackward(Act act) {
        float[] a = {-100f, -30f, -1e-30f, 0f, 1e-30f, 30f, 100f};
        Tensor x = Tensor.of(a).requiresGrad(true);
        Tensor y = act.op.apply(x);
        assertAllFinite(act.name + " forward", y);
        assertClose(act.name, Oracle.map(Oracle.nd(a, a.length), act.ref), y, 1e-5, 1e-6);
        y.sum().backward();
        assertAllFinite(act.name + " gradient", x.grad());
        assertClose(act.name + " gradient", Oracle.map(Oracle.nd(a, a.length), act.grad), x.grad(), 1e-5, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void derivativeAroundZero(Act act) {
        float[] a = {-0.5f, -0.1f, -0.06f, 0.06f, 0.1f, 0.5f};
        Tensor x = Tensor.of(a).requiresGrad(true);
        act.op.apply(x).sum().backward();
        assertClose(act.name + " gradient", Oracle.map(Oracle.nd(a, a.length), act.grad), x.grad(), 1e-5, 1e-6);
        GradCheck.assertGradients(in -> act.op.apply(in[0]), Tensor.of(a));
    }

    @Test
    void derivativesExactlyAtZeroFollowPyTorch() {
        assertEquals(0f, gradAtZero(Tensor::relu), "relu'(0)");
        assertEquals(0.1f, gradAtZero(t -> t.leakyRelu(0.1f)), 1e-7, "leakyRelu'(0) = alpha");
        assertEquals(0.7f, gradAtZero(t -> t.elu(0.7f)), 1e-7, "elu'(0) = alpha");
        assertEquals(0.25f, gradAtZero(Tensor::sigmoid), 1e-7);
        assertEquals(1f, gradAtZero(Tensor::tanh), 1e-7);
        assertEquals(0.5f, gradAtZero(Tensor::gelu), 1e-6);
        assertEquals(0.5f, gradAtZero(Tensor::softplus), 1e-7);
        assertEquals(0f, gradAtZero(Tensor::abs), "abs'(0) = sign(0) = 0");
    }

    private static float gradAtZero(UnaryOperator<Tensor> f) {
        Tensor x = Tensor.scalar(0f).requiresGrad(true);
        f.apply(x).backward();
        return x.grad().item();
    }

    @Test
    void geluIsTheExactErfFormNotTheTanhApproximation() {
        // At x = 1 the exact GELU is 0.8413447460685429; the tanh approximation gives 0.8411919906.
        assertEquals(0.8413447460685429, Tensor.scalar(1f).gelu().item(), 2e-7);
        assertEquals(-0.15865525393145707, Tensor.scalar(-1f).gelu().item(), 2e-7);
        assertEquals(SpecialFunctions.gelu(-3.0), Tensor.scalar(-3f).gelu().item(), 1e-7);
    }

    @Test
    void oracleErfIsAccurate() {
        // Self-check of the reference against tabulated values.
        assertEquals(0.8427007929497149, SpecialFunctions.erf(1), 1e-15);
        assertEquals(0.9953222650189527, SpecialFunctions.erf(2), 1e-15);
        assertEquals(1 - 2.209049699858544e-5, SpecialFunctions.erf(3), 1e-15);
        assertEquals(1.5374597944280349e-12, SpecialFunctions.erfcLarge(5), 1e-25);
        assertEquals(-0.5204998778130465, SpecialFunctions.erf(-0.5), 1e-15);
    }

    static Stream<Arguments> softmaxDims() {
        return IntStream.range(-3, 3).boxed().flatMap(d -> Stream.of(Arguments.of(d, false), Arguments.of(d, true)));
    }

    @ParameterizedTest(name = "dim {0} log {1}")
    @MethodSource("softmaxDims")
    void softmaxAlongEveryDim(int dim, boolean log) {
        float[] a = Checks.normal(61, 2 * 3 * 4);
        for (int i = 0; i < a.length; i++) {
            a[i] *= 3;
        }
        Nd x = Oracle.nd(a, 2, 3, 4);
        int d = dim < 0 ? dim + 3 : dim;
        Tensor t = Tensor.of(a, 2, 3, 4);
        Tensor y = log ? t.logSoftmax(dim) : t.softmax(dim);
        assertClose(Oracle.softmax(x, d, log), y, 1e-5, 1e-6);
        // non-contiguous input: permuted
        Tensor p = t.permute(2, 0, 1);
        Nd np = Oracle.permute(x, 2, 0, 1);
        assertClose("permuted", Oracle.softmax(np, d, log), log ? p.logSoftmax(dim) : p.softmax(dim), 1e-5, 1e-6);
    }

    @Test
    void softmaxRowsSumToOne() {
        Tensor y = Checks.randn(62, 5, 7).softmax(1);
        float[] s = y.sum(1, false).toFloatArray();
        for (float v : s) {
            assertEquals(1f, v, 1e-6);
        }
    }

    @Test
    void softmaxOfHugeLogitsIsFinite() {
        float[] a = {1000f, -1000f, 999f, 0f, -1000f, -1000f};
        Nd x = Oracle.nd(a, 2, 3);
        Tensor t = Tensor.of(a, 2, 3);
        Tensor s = t.softmax(1);
        Tensor ls = t.logSoftmax(1);
        assertAllFinite("softmax", s);
        assertAllFinite("logSoftmax", ls);
        assertClose(Oracle.softmax(x, 1, false), s, 1e-5, 1e-7);
        // log-softmax of magnitude-1000 logits: the float input spacing there is 6e-5
        assertClose(Oracle.softmax(x, 1, true), ls, 1e-5, 1e-4);
        Tensor xg = Tensor.of(a, 2, 3).requiresGrad(true);
        xg.logSoftmax(1).mul(Tensor.of(new float[] {1, 2, 3})).sum().backward();
        assertAllFinite("logSoftmax gradient", xg.grad());
        Tensor xs = Tensor.of(a, 2, 3).requiresGrad(true);
        xs.softmax(0).mul(Tensor.of(new float[] {1, 2, 3})).sum().backward();
        assertAllFinite("softmax gradient", xs.grad());
    }

    @Test
    void softmaxOnSlicedAndExpandedInput() {
        float[] a = Checks.normal(63, 30);
        Nd x = Oracle.nd(a, 5, 6);
        Tensor sliced = Tensor.of(a, 5, 6).slice(1, 0, 6, 2);
        assertClose(Oracle.softmax(Oracle.slice(x, 1, 0, 6, 2), 1, false), sliced.softmax(1));
        assertClose(Oracle.softmax(Oracle.slice(x, 1, 0, 6, 2), 0, true), sliced.logSoftmax(0));
        float[] r = Checks.normal(64, 6);
        Tensor expanded = Tensor.of(r, 6).expand(4, 6);
        Nd ne = Oracle.expand(Oracle.nd(r, 6), 4, 6);
        assertClose(Oracle.softmax(ne, 1, false), expanded.softmax(1));
        assertClose(Oracle.softmax(ne, 0, false), expanded.softmax(0));
    }

    @Test
    void softmaxLargeAcrossThreads() {
        float[] a = Checks.normal(65, 300 * 517);
        Nd x = Oracle.nd(a, 300, 517);
        Tensor t = Tensor.of(a, 300, 517);
        assertClose(Oracle.softmax(x, 1, false), t.softmax(1), 1e-5, 1e-7);
        assertClose(Oracle.softmax(x, 0, true), t.logSoftmax(0), 1e-5, 1e-6);
    }

    @Test
    void softmaxOfScalarAndSingleton() {
        assertEquals(1f, Tensor.scalar(3f).softmax(0).item());
        assertEquals(0f, Tensor.scalar(3f).logSoftmax(0).item());
        assertEquals(1f, Tensor.of(new float[] {-7f}, 1).softmax(-1).item());
    }

    @Test
    void softmaxGradients() {
        for (int d = 0; d < 3; d++) {
            int dim = d;
            Tensor x = Checks.randn(66 + d, 2, 3, 2);
            GradCheck.assertGradients(in -> in[0].softmax(dim), x);
            GradCheck.assertGradients(in -> in[0].logSoftmax(dim), x);
        }
        GradCheck.assertGradients(in -> in[0].t().softmax(1), Checks.randn(70, 3, 4));
    }

    @Test
    void softmaxWithMinusInfinityMask() {
        float ninf = Float.NEGATIVE_INFINITY;
        Tensor logits = Tensor.of(new float[] {ninf, 0f, 1f, 2f, ninf, ninf}, 2, 3);
        float[] s = logits.softmax(1).toFloatArray();
        double e = Math.exp(1);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0f, (float) (1 / (1 + e)), (float) (e / (1 + e)), 1f, 0f, 0f},
                s, 1e-6f);
        float[] ls = logits.logSoftmax(1).toFloatArray();
        assertEquals(ninf, ls[0]);
        assertEquals(-Math.log1p(e), ls[1], 1e-6);
        assertEquals(0f, ls[3], 1e-7);
        Tensor x = Tensor.of(new float[] {ninf, 0f, 1f, 2f, ninf, ninf}, 2, 3).requiresGrad(true);
        x.softmax(1).mul(Tensor.of(new float[] {1, 2, 3})).sum().backward();
        assertAllFinite("softmax gradient with -inf logits", x.grad());
        Tensor y = Tensor.of(new float[] {ninf, 0f, 1f, 2f, ninf, ninf}, 2, 3).requiresGrad(true);
        y.logSoftmax(1).select(1, 2).sum().backward();
        assertAllFinite("logSoftmax gradient with -inf logits", y.grad());
    }

    /**
     * log-softmax of a confident prediction: the largest logit's value is tiny (-4.54e-5 for
     * [20, 10]) and must keep float's relative precision, as {@code (x - max) - log(sum)} gives;
     * computing {@code x - (max + log(sum))} rounds the sum to the spacing of floats near the
     * logits (1.9e-6 at 20, 6e-5 at 1000) and loses it. Cross-entropy of confident predictions
     * depends on exactly these values.
     */
    @Test
    void logSoftmaxKeepsRelativePrecisionForConfidentPredictions() {
        for (float shift : new float[] {0f, 10f, 90f, 990f}) {
            float[] a = {10f + shift, shift};
            Nd expected = Oracle.softmax(Oracle.nd(a, 2), 0, true);
            assertClose("logSoftmax" + java.util.Arrays.toString(a), expected, Tensor.of(a).logSoftmax(0), 1e-5, 1e-9);
        }
        float[] b = {1000.5f, 1000f};
        assertClose("logSoftmax[1000.5, 1000]", Oracle.softmax(Oracle.nd(b, 2), 0, true), Tensor.of(b).logSoftmax(0), 1e-5, 1e-7);
    }
}
