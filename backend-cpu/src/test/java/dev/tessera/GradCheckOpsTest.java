package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference gradient checks ({@link GradCheck#assertGradients}) of every differentiable
 * elementwise op, activation and reduction: with broadcast inputs (e.g. [3,1] + [4], 0-d with
 * N-d), float-argument variants, and inputs kept more than 0.05 away from kinks (relu and abs at 0,
 * clamp bounds, max ties). Also checks that GradCheck itself rejects a wrong gradient.
 */
class GradCheckOpsTest {

    /** A named function and the inputs to check it at. */
    record Case(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Tensor u(long seed, double lo, double hi, int... shape) {
        return Checks.tensor(Checks.uniform(seed, Oracle.numel(shape), lo, hi), shape);
    }

    /** Values in [lo, hi] more than 0.05 away from each kink. */
    private static Tensor away(long seed, double lo, double hi, int[] shape, double... kinks) {
        return Checks.tensor(Checks.uniformAvoiding(seed, Oracle.numel(shape), lo, hi, 0.06, kinks), shape);
    }

    private static Tensor n(long seed, int... shape) {
        return Checks.randn(seed, shape);
    }

    private static Tensor distinct(long seed, int... shape) {
        return Checks.tensor(Checks.distinct(seed, Oracle.numel(shape)), shape);
    }

    static Stream<Case> elementwise() {
        return Stream.of(
                new Case("add", x -> x[0].add(x[1]), n(1, 2, 3), n(2, 2, 3)),
                new Case("add [3,1]+[4]", x -> x[0].add(x[1]), n(3, 3, 1), n(4, 4)),
                new Case("add 0-d+[2,3]", x -> x[0].add(x[1]), n(5), n(6, 2, 3)),
                new Case("sub [2,1,4]-[3,1]", x -> x[0].sub(x[1]), n(7, 2, 1, 4), n(8, 3, 1)),
                new Case("sub [4]-[3,1]", x -> x[0].sub(x[1]), n(9, 4), n(10, 3, 1)),
                new Case("mul [1,4]*[3,1]", x -> x[0].mul(x[1]), n(11, 1, 4), n(12, 3, 1)),
                new Case("mul [2,3]*0-d", x -> x[0].mul(x[1]), n(13, 2, 3), n(14)),
                new Case("mul same tensor", x -> x[0].mul(x[0]), n(15, 5)),
                new Case("div", x -> x[0].div(x[1]), n(16, 2, 3), u(17, 0.5, 2, 2, 3)),
                new Case("div [3]/[2,1]", x -> x[0].div(x[1]), n(18, 3), u(19, -2, -0.5, 2, 1)),
                new Case("pow tensor", x -> x[0].pow(x[1]), u(20, 0.5, 2, 2, 3), u(21, -1.5, 1.5, 2, 3)),
                new Case("pow tensor broadcast", x -> x[0].pow(x[1]), u(22, 0.5, 2, 3, 1), u(23, -1, 2, 4)),
                new Case("maximum", x -> x[0].maximum(x[1]), distinct(24, 3, 4), distinct(25, 3, 4).add(0.1f)),
                new Case("minimum broadcast", x -> x[0].minimum(x[1]), distinct(26, 3, 4), distinct(27, 4).add(0.1f)),
                new Case("add float", x -> x[0].add(2.5f), n(28, 2, 3)),
                new Case("sub float", x -> x[0].sub(-1.5f), n(29, 2, 3)),
                new Case("mul float", x -> x[0].mul(-3f), n(30, 2, 3)),
                new Case("div float", x -> x[0].div(4f), n(31, 2, 3)),
                new Case("rsub float", x -> x[0].rsub(1f), n(32, 2, 3)),
                new Case("pow 2", x -> x[0].pow(2f), n(33, 2, 3)),
                new Case("pow 3", x -> x[0].pow(3f), n(34, 2, 3)),
                new Case("pow 0.5", x -> x[0].pow(0.5f), u(35, 0.5, 3, 2, 3)),
                new Case("pow -1.5", x -> x[0].pow(-1.5f), u(36, 0.5, 3, 2, 3)),
                new Case("square", x -> x[0].square(), n(37, 2, 3)),
                new Case("neg", x -> x[0].neg(), n(38, 2, 3)),
                new Case("exp", x -> x[0].exp(), n(39, 2, 3)),
                new Case("log", x -> x[0].log(), u(40, 0.3, 4, 2, 3)),
                new Case("sqrt", x -> x[0].sqrt(), u(41, 0.3, 4, 2, 3)),
                new Case("rsqrt", x -> x[0].rsqrt(), u(42, 0.5, 4, 2, 3)),
                new Case("reciprocal", x -> x[0].reciprocal(), Tensor.of(new float[] {0.6f, -0.7f, 1.3f, -2.2f, 3f, -0.9f}, 2, 3)),
                new Case("abs", x -> x[0].abs(), away(44, -3, 3, new int[] {2, 3}, 0)),
                new Case("sign", x -> x[0].sign(), away(45, -3, 3, new int[] {2, 3}, 0)),
                new Case("sin", x -> x[0].sin(), u(46, -4, 4, 2, 3)),
                new Case("cos", x -> x[0].cos(), u(47, -4, 4, 2, 3)),
                new Case("clamp", x -> x[0].clamp(-0.5f, 0.7f), away(48, -2, 2, new int[] {3, 4}, -0.5, 0.7)),
                new Case("where", x -> Tensor.where(Tensor.of(new float[] {1, 0, 1}, 3, 1), x[0], x[1]), n(49, 3, 4), n(50, 4)),
                new Case("where 0-d branch", x -> Tensor.where(Tensor.of(new float[] {0, 1, 1, 0}), x[0], x[1]), n(51, 4), n(52)),
                new Case("chain", x -> x[0].mul(x[1]).add(x[0].exp()).div(x[1].square().add(1f)).sub(x[0]),
                        n(53, 2, 3), n(54, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("elementwise")
    void elementwiseGradients(Case c) {
        GradCheck.assertGradients(c.f, c.inputs);
    }

    static Stream<Case> activations() {
        int[] s = {3, 5};
        return Stream.of(
                new Case("relu", x -> x[0].relu(), away(60, -3, 3, s, 0)),
                new Case("sigmoid", x -> x[0].sigmoid(), u(61, -5, 5, s)),
                new Case("tanh", x -> x[0].tanh(), u(62, -3, 3, s)),
                new Case("leakyRelu", x -> x[0].leakyRelu(0.2f), away(63, -3, 3, s, 0)),
                new Case("elu", x -> x[0].elu(1.3f), away(64, -3, 3, s, 0)),
                new Case("gelu", x -> x[0].gelu(), u(65, -4, 4, s)),
                new Case("softplus", x -> x[0].softplus(), u(66, -6, 6, s)),
                new Case("softmax 0", x -> x[0].softmax(0), n(67, s)),
                new Case("softmax -1", x -> x[0].softmax(-1), n(68, s)),
                new Case("logSoftmax 1", x -> x[0].logSoftmax(1), n(69, s)),
                new Case("logSoftmax 0", x -> x[0].logSoftmax(0), n(70, s)),
                new Case("relu of broadcast sum", x -> x[0].add(x[1]).relu(),
                        away(71, -2, 2, new int[] {3, 1}, -1.5, -0.5, 0.5, 1.5), Tensor.of(new float[] {0.5f, -0.5f, 1.5f, -1.5f})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void activationGradients(Case c) {
        GradCheck.assertGradients(c.f, c.inputs);
    }

    static Stream<Case> reductions() {
        return Stream.of(
                new Case("sum all", x -> x[0].sum(), n(80, 2, 3, 2)),
                new Case("sum 0", x -> x[0].sum(0, false), n(81, 2, 3, 2)),
                new Case("sum 1 keep", x -> x[0].sum(1, true), n(82, 2, 3, 2)),
                new Case("sum -1", x -> x[0].sum(-1, false), n(83, 2, 3, 2)),
                new Case("mean all", x -> x[0].mean(), n(84, 2, 3, 2)),
                new Case("mean 2 keep", x -> x[0].mean(2, true), n(85, 2, 3, 2)),
                new Case("mean 0", x -> x[0].mean(0, false), n(86, 2, 3, 2)),
                new Case("var biased", x -> x[0].var(1, false, false), n(87, 2, 4)),
                new Case("var unbiased keep", x -> x[0].var(0, true, true), n(88, 3, 4)),
                new Case("max all", x -> x[0].max(), distinct(89, 3, 4)),
                new Case("min all", x -> x[0].min(), distinct(90, 3, 4)),
                new Case("max 0", x -> x[0].max(0, false), distinct(91, 3, 4)),
                new Case("max 1 keep", x -> x[0].max(1, true), distinct(92, 3, 4)),
                new Case("min -1", x -> x[0].min(-1, false), distinct(93, 3, 4)),
                new Case("sum of scalar", x -> x[0].sum(), n(94)),
                new Case("mean of broadcast product", x -> x[0].mul(x[1]).mean(0, false), n(95, 3, 1), n(96, 4)),
                new Case("normalise rows", x -> x[0].sub(x[0].mean(1, true)).div(x[0].var(1, true, false).add(1e-1f).sqrt()),
                        n(97, 3, 4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reductions")
    void reductionGradients(Case c) {
        GradCheck.assertGradients(c.f, c.inputs);
    }

    @Test
    void gradCheckRejectsAWrongGradient() {
        // x * detach(x): autograd sees only one factor, so the analytic gradient is x instead of 2x.
        Function<Tensor[], Tensor> wrong = x -> x[0].mul(x[0].detach());
        GradCheck.Result r = GradCheck.check(wrong, GradCheck.DEFAULT_EPS, GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL,
                Tensor.of(new float[] {1, 2, 3}));
        assertFalse(r.passed());
        assertTrue(r.maxAbsError() > 0.5);
        assertTrue(r.firstMismatch().contains("input 0"), r.firstMismatch());
        assertThrows(AssertionError.class, () -> GradCheck.assertGradients(wrong, Tensor.of(new float[] {1, 2, 3})));
    }

    @Test
    void gradCheckLeavesInputsUntouchedAndPassesIntInputs() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor idx = Tensor.ofInts(new int[] {2, 0}, 2, 1);
        GradCheck.Result r = GradCheck.check(in -> in[0].gather(1, in[1]).square(), 1e-2, 5e-3, 1e-2, x, idx);
        assertTrue(r.passed(), String.valueOf(r.firstMismatch()));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, x.toFloatArray());
        assertFalse(x.requiresGrad());
        org.junit.jupiter.api.Assertions.assertNull(x.grad());
    }
}
