package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.spi.AdamSpec;
import dev.tessera.spi.SgdSpec;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Version counters: every in-place write bumps the version of the written storage (shared by its
 * views), each op records the versions of the tensors it saves for backward, and backward fails,
 * naming the op, the tensor and both versions, when one of them was written in place in between,
 * instead of computing a gradient from the new values. In-place writes to tensors no live node
 * needs (optimizer steps between graphs, gradients, unsaved tensors, copies) stay free.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class VersionCounterTest {

    private static Tensor leaf(long seed, int... shape) {
        return Tensor.of(Checks.uniform(seed, (int) Shape.numel(shape), 0.5, 2), shape).requiresGrad(true);
    }

    /** A non-leaf input, as in the issue's example: gradients flow through it to a leaf. */
    private static Tensor input(long seed, int... shape) {
        return leaf(seed, shape).mul(1f);
    }

    private static void writeInPlace(Tensor t) {
        try (var ng = Tensor.noGrad()) {
            t.fill(0f); // valid as an index too
        }
    }

    @Test
    void theIssueExampleFailsInsteadOfGivingAWrongGradient() {
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor a = w.mul(1f);
        Tensor l = a.mul(a).sum();
        try (var ng = Tensor.noGrad()) {
            a.addInPlace(Tensor.scalar(1f));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, l::backward);
        String m = e.getMessage();
        assertTrue(m.contains("modified by an in-place operation"), m);
        assertTrue(m.contains("input 0 of 'mul' (shape [2], itself the output of 'mul')"), m);
        assertTrue(m.contains("is at version 1; expected version 0"), m);
        assertNull(w.grad(), "nothing is accumulated when backward fails");

        // The same graph without the write gives the true gradient 2w.
        Tensor b = w.mul(1f);
        b.mul(b).sum().backward();
        assertArrayEquals(new float[] {2, 4}, w.grad().toFloatArray());
    }

    /** One op saving a tensor: builds {@code {output, the saved tensor to write}}. */
    static Stream<Arguments> savingOps() {
        return Stream.of(
                op("mul: left factor", "input 0 of 'mul'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::mul, 0)),
                op("mul: right factor", "input 1 of 'mul'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::mul, 1)),
                op("div: divisor", "input 1 of 'div'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::div, 1)),
                op("div: quotient", "the output of 'div'", () -> output(input(1, 2, 3), x -> x.div(input(2, 2, 3)))),
                op("pow tensor", "input 0 of 'pow'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::pow, 0)),
                op("pow tensor: exponent", "input 1 of 'pow'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::pow, 1)),
                op("pow scalar", "input 0 of 'pow'", () -> unary(input(1, 2, 3), x -> x.pow(3f))),
                op("square", "input 0 of 'pow'", () -> unary(input(1, 2, 3), Tensor::square)),
                op("maximum", "input 1 of 'maximum'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::maximum, 1)),
                op("minimum", "input 0 of 'minimum'", () -> pair(input(1, 2, 3), input(2, 2, 3), Tensor::minimum, 0)),
                op("exp", "the output of 'exp'", () -> output(input(1, 2, 3), Tensor::exp)),
                op("sqrt", "the output of 'sqrt'", () -> output(input(1, 2, 3), Tensor::sqrt)),
                op("rsqrt", "the output of 'rsqrt'", () -> output(input(1, 2, 3), Tensor::rsqrt)),
                op("reciprocal", "the output of 'reciprocal'", () -> output(input(1, 2, 3), Tensor::reciprocal)),
                op("log", "input 0 of 'log'", () -> unary(input(1, 2, 3), Tensor::log)),
                op("abs", "input 0 of 'abs'", () -> unary(input(1, 2, 3), Tensor::abs)),
                op("sin", "input 0 of 'sin'", () -> unary(input(1, 2, 3), Tensor::sin)),
                op("cos", "input 0 of 'cos'", () -> unary(input(1, 2, 3), Tensor::cos)),
                op("clamp", "input 0 of 'clamp'", () -> unary(input(1, 2, 3), x -> x.clamp(0.7f, 1.5f))),
                op("tanh", "the output of 'tanh'", () -> output(input(1, 2, 3), Tensor::tanh)),
                op("sigmoid", "the output of 'sigmoid'", () -> output(input(1, 2, 3), Tensor::sigmoid)),
                op("softmax", "the output of 'softmax'", () -> output(input(1, 2, 3), x -> x.softmax(1))),
                op("logSoftmax", "the output of 'logSoftmax'", () -> output(input(1, 2, 3), x -> x.logSoftmax(0))),
                op("elu: output", "the output of 'elu'", () -> output(input(1, 2, 3), x -> x.elu(1f))),
                op("elu: input", "input 0 of 'elu'", () -> unary(input(1, 2, 3), x -> x.elu(1f))),
                op("relu", "input 0 of 'relu'", () -> unary(input(1, 2, 3), Tensor::relu)),
                op("leakyRelu", "input 0 of 'leakyRelu'", () -> unary(input(1, 2, 3), x -> x.leakyRelu(0.1f))),
                op("gelu", "input 0 of 'gelu'", () -> unary(input(1, 2, 3), Tensor::gelu)),
                op("softplus", "input 0 of 'softplus'", () -> unary(input(1, 2, 3), Tensor::softplus)),
                op("matmul: left", "input 0 of 'matmul'", () -> pair(input(1, 2, 3), input(2, 3, 2), Tensor::matmul, 0)),
                op("matmul: right", "input 1 of 'matmul'", () -> pair(input(1, 2, 3), input(2, 3, 2), Tensor::matmul, 1)),
                op("matmul: batch folded into rows", "input 0 of 'matmul' (shape [4, 3]",
                        () -> pair(input(1, 2, 2, 3), input(2, 3, 2), Tensor::matmul, 0)),
                op("matmul: right of a transposed view", "input 1 of 'matmul' (shape [3, 2]",
                        () -> pair(input(1, 2, 3), input(2, 2, 3), (x, w) -> x.matmul(w.t()), 1)),
                op("conv2d: weight", "input 1 of 'conv2d'",
                        () -> pair(input(1, 1, 2, 4, 4), input(2, 3, 2, 3, 3), (x, w) -> x.conv2d(w, null, 1, 1), 1)),
                op("conv2d: input", "input 0 of 'conv2d'",
                        () -> pair(input(1, 1, 2, 4, 4), input(2, 3, 2, 3, 3), (x, w) -> x.conv2d(w, null, 1, 1), 0)),
                op("attention: value", "input 2 of 'attention'", () -> {
                    Tensor v = input(3, 2, 5, 3);
                    return new Tensor[] {FusedAttention.compute(input(1, 2, 3, 4), input(2, 2, 5, 4), v, 0.5f), v};
                }),
                op("where: condition", "input 0 of 'where'", () -> {
                    Tensor cond = Tensor.of(new float[] {1, 0, 1, 0, 0, 1}, 2, 3);
                    return new Tensor[] {Tensor.where(cond, input(1, 2, 3), input(2, 2, 3)), cond};
                }),
                op("gather: index", "input 1 of 'gather'", () -> {
                    Tensor index = Tensor.ofInts(new int[] {2, 0, 1, 1}, 2, 2);
                    return new Tensor[] {input(1, 2, 3).gather(1, index), index};
                }),
                op("indexSelect: index", "input 1 of 'indexSelect'", () -> {
                    Tensor index = Tensor.ofInts(new int[] {2, 0});
                    return new Tensor[] {input(1, 2, 3).indexSelect(1, index), index};
                }));
    }

    private static Arguments op(String name, String role, Supplier<Tensor[]> build) {
        return Arguments.of(name, role, build);
    }

    private static Tensor[] pair(Tensor a, Tensor b, java.util.function.BinaryOperator<Tensor> f, int written) {
        return new Tensor[] {f.apply(a, b), written == 0 ? a : b};
    }

    private static Tensor[] unary(Tensor x, Function<Tensor, Tensor> f) {
        return new Tensor[] {f.apply(x), x};
    }

    private static Tensor[] output(Tensor x, Function<Tensor, Tensor> f) {
        Tensor y = f.apply(x);
        return new Tensor[] {y, y};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("savingOps")
    void writingASavedTensorMakesBackwardFail(String name, String role, Supplier<Tensor[]> build) {
        Tensor[] untouched = build.get();
        assertDoesNotThrow(() -> untouched[0].sum().backward(), name + " without the write");

        Tensor[] built = build.get();
        Tensor loss = built[0].sum();
        writeInPlace(built[1]);
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward, name);
        String m = e.getMessage();
        // The shape is the saved tensor's: the written one's, unless the op saved a view of it.
        assertTrue(m.contains(role.contains("(shape") ? role : role + " (shape " + Shape.str(built[1].shape())), m);
        assertTrue(m.contains("is at version 1; expected version 0"), m);
    }

    /** A write through any view of the saved tensor's storage, or through the base of a saved view. */
    static Stream<Arguments> views() {
        return Stream.of(
                Arguments.of("slice", (Function<Tensor, Tensor>) a -> a.slice(0, 1, 2)),
                Arguments.of("transpose", (Function<Tensor, Tensor>) Tensor::t),
                Arguments.of("reshape", (Function<Tensor, Tensor>) a -> a.reshape(4)),
                Arguments.of("select", (Function<Tensor, Tensor>) a -> a.select(1, 0)),
                Arguments.of("element", (Function<Tensor, Tensor>) a -> a.select(0, 1).select(0, 1)),
                Arguments.of("detach", (Function<Tensor, Tensor>) Tensor::detach));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("views")
    void writesThroughViewsAreCaught(String name, Function<Tensor, Tensor> view) {
        Tensor a = input(1, 2, 2);
        Tensor loss = a.mul(a).sum();
        try (var ng = Tensor.noGrad()) {
            view.apply(a).addInPlace(Tensor.scalar(1f));
        }
        assertEquals(1, a.version());
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward, name);
        assertTrue(e.getMessage().contains("input 0 of 'mul' (shape [2, 2]"), e.getMessage());

        // A saved view, written through its base.
        Tensor b = input(2, 2, 2);
        Tensor v = view.apply(b);
        Tensor viewLoss = v.mul(leaf(3, v.shape())).sum();
        writeInPlace(b);
        e = assertThrows(IllegalStateException.class, viewLoss::backward, name + " of the base");
        assertTrue(e.getMessage().contains("input 0 of 'mul' (shape " + Shape.str(v.shape())), e.getMessage());
    }

    @Test
    void versionCountsWritesToTheStorage() {
        Tensor t = Tensor.zeros(2, 3);
        assertEquals(0, t.version());
        Tensor view = t.slice(1, 0, 2);
        t.fill(1f);
        t.copyFrom(Tensor.ones(3));
        view.addInPlace(Tensor.scalar(1f));
        t.addInPlace(Tensor.ones(2, 3), 2f);
        t.subInPlace(Tensor.ones(3));
        view.mulInPlace(2f);
        t.mulInPlace(Tensor.ones(3));
        t.divInPlace(Tensor.ones(3));
        assertEquals(8, t.version());
        assertEquals(8, view.version());
        assertEquals(8, t.detach().version());
        assertEquals(0, t.add(1f).version(), "a new result has its own counter");
        assertEquals(0, t.t().contiguous().version(), "so has a copy");
        assertThrows(IllegalArgumentException.class, () -> t.addInPlace(Tensor.ones(4)));
        assertEquals(8, t.version(), "a refused write does not count");
    }

    @Test
    void fusedSgdUpdateBumpsWhatItModifiesAndChecksItsArguments() {
        Tensor p = Tensor.of(new float[] {1, 2});
        Tensor grad = Tensor.of(new float[] {0.5f, -1f});
        Tensor buf = Tensor.zeros(2);
        Fused.sgdUpdate(p, grad, buf, new SgdSpec(0.1f, 0.9f, 0f, 0f, false, true));
        assertEquals(1, p.version());
        assertEquals(1, buf.version());
        assertEquals(0, grad.version(), "the gradient is only read");
        assertArrayEquals(new float[] {0.95f, 2.1f}, p.toFloatArray());
        assertArrayEquals(new float[] {0.5f, -1f}, buf.toFloatArray(), "the first step copies the gradient");
        Fused.sgdUpdate(p, grad, null, new SgdSpec(0.1f, 0f, 0f, 0f, false, false));
        assertEquals(2, p.version());
        assertEquals(1, buf.version());

        SgdSpec momentum = new SgdSpec(0.1f, 0.9f, 0f, 0f, false, false);
        IllegalArgumentException noBuffer = assertThrows(IllegalArgumentException.class,
                () -> Fused.sgdUpdate(p, grad, null, momentum));
        assertEquals("sgdUpdate: momentum 0.9 needs a momentum buffer, but none was given", noBuffer.getMessage());
        IllegalArgumentException extraBuffer = assertThrows(IllegalArgumentException.class,
                () -> Fused.sgdUpdate(p, grad, buf, new SgdSpec(0.1f, 0f, 0f, 0f, false, false)));
        assertEquals("sgdUpdate: momentum 0.0 needs no momentum buffer, but one was given", extraBuffer.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> Fused.sgdUpdate(p, Tensor.zeros(3), buf, momentum));
        assertTrue(shape.getMessage().startsWith("sgdUpdate: tensor of shape [3] (FLOAT32) does not match the parameter [2]"),
                shape.getMessage());
        Tensor leaf = Tensor.zeros(2).requiresGrad(true);
        IllegalStateException recorded = assertThrows(IllegalStateException.class,
                () -> Fused.sgdUpdate(leaf, grad, buf, momentum));
        assertTrue(recorded.getMessage().startsWith("sgdUpdate: a tensor that requires grad cannot be modified in place"),
                recorded.getMessage());
        assertEquals(2, p.version(), "a refused update does not count");
        assertEquals(1, buf.version());
    }

    @Test
    void fusedAdamUpdateBumpsWhatItModifies() {
        Tensor p = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor loss = p.mul(p).sum();
        loss.backward(Tensor.scalar(1f), true);
        Tensor grad = p.grad();
        long gradVersion = grad.version(); // the second term of p*p was accumulated into it in place
        Tensor m = Tensor.zeros(2);
        Tensor v = Tensor.zeros(2);
        try (var ng = Tensor.noGrad()) {
            Fused.adamUpdate(p, grad, m, v, new AdamSpec(0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, 0.1f, 0.0316f));
        }
        assertEquals(1, p.version());
        assertEquals(1, m.version());
        assertEquals(1, v.version());
        assertEquals(gradVersion, grad.version(), "the gradient is only read");
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("input 0 of 'mul' (shape [2], a leaf) is at version 1; expected version 0"),
                e.getMessage());
    }

    @Test
    void optimizerStepsBetweenGraphsStayFree() {
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        float[] expected = {1, 2};
        for (int step = 0; step < 3; step++) {
            Tensor loss = w.mul(w).sum(); // a new graph each step: d/dw = 2w
            loss.backward();
            assertArrayEquals(new float[] {2 * expected[0], 2 * expected[1]}, w.grad().toFloatArray());
            try (var ng = Tensor.noGrad()) {
                w.subInPlace(w.grad().mul(0.25f));
            }
            w.zeroGrad();
            expected = new float[] {expected[0] * 0.5f, expected[1] * 0.5f};
        }
        assertArrayEquals(expected, w.toFloatArray());
        assertEquals(3, w.version());
    }

    @Test
    void aRetainedGraphStillSeesTheStep() {
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor loss = w.exp().mul(w).sum();
        loss.backward(Tensor.scalar(1f), true);
        try (var ng = Tensor.noGrad()) {
            w.subInPlace(w.grad().mul(0.1f));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("of 'mul' (shape [2], a leaf) is at version 1; expected version 0"),
                e.getMessage());
    }

    @Test
    void writesToTensorsNoNodeSavedStayFree() {
        // add, sum and reshape read no tensor for backward.
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor a = w.mul(1f);
        Tensor loss = a.add(Tensor.of(new float[] {3, 4})).reshape(2, 1).sum();
        writeInPlace(a);
        loss.backward();
        assertArrayEquals(new float[] {1, 1}, w.grad().toFloatArray());

        // A factor is saved only for the other factor's gradient: a constant's partner is not.
        Tensor p = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {3, 5});
        Tensor product = p.mul(c).sum();
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor q = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2).requiresGrad(true);
        Tensor linear = x.matmul(q).sum();
        try (var ng = Tensor.noGrad()) {
            p.addInPlace(Tensor.scalar(1f));
            q.addInPlace(Tensor.scalar(1f));
        }
        product.backward();
        linear.backward();
        assertArrayEquals(new float[] {3, 5}, p.grad().toFloatArray());
        assertArrayEquals(new float[] {4, 4, 6, 6}, q.grad().toFloatArray());

        // A copy has its own counter: writing the original does not touch what was saved.
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor b = base.mul(1f);
        Tensor copy = b.t().contiguous();
        Tensor squares = copy.mul(copy).sum();
        writeInPlace(b);
        squares.backward();
        assertArrayEquals(new float[] {2, 4, 6, 8}, base.grad().toFloatArray());
    }

    @Test
    void aTensorWrittenBeforeItWasSavedIsFine() {
        Tensor c = Tensor.zeros(2);
        c.fill(3f);
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor loss = w.mul(c).sum(); // saves c at version 1
        loss.backward();
        assertArrayEquals(new float[] {3, 3}, w.grad().toFloatArray());
    }

    @Test
    void gradientBuffersCanBeModifiedBetweenPasses() {
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        w.mul(w).sum().backward();
        try (var ng = Tensor.noGrad()) {
            w.grad().mulInPlace(0.5f); // as gradient clipping does
        }
        w.mul(w).sum().backward();
        assertArrayEquals(new float[] {3, 6}, w.grad().toFloatArray());
    }
}
