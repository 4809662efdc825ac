package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The edges of every hyper-parameter's range: the boundary value itself is accepted where the
 * documentation says it is (an lr, eps, momentum, gamma or factor of 0; a step size of 1), and the
 * first value outside is rejected with a message naming it.
 */
class HyperParameterBoundsTest {
    private static List<Tensor> params() {
        return List.of(Tensor.ones(2).requiresGrad(true));
    }

    private static SGD sgd() {
        return new SGD(params(), 1f);
    }

    private static Arguments ok(String what, Supplier<Object> make) {
        return Arguments.of(Named.of(what, make));
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                ok("SGD lr 0", () -> new SGD(params(), 0f)),
                ok("Adam eps 0", () -> new Adam(params(), 0.1f, 0.9f, 0.999f, 0f, 0f, false)),
                ok("Adam beta1 0, beta2 0", () -> new Adam(params(), 0.1f, 0f, 0f, 1e-8f, 0f, false)),
                ok("RMSprop alpha 0, eps 0", () -> new RMSprop(params(), 0.1f, 0f, 0f, 0f, 0f, false)),
                ok("StepLR step size 1, gamma 0", () -> new StepLR(sgd(), 1, 0f)),
                ok("ExponentialLR gamma 0", () -> new ExponentialLR(sgd(), 0f)),
                ok("CosineAnnealingLR tMax 1", () -> new CosineAnnealingLR(sgd(), 1, 0f)),
                ok("LinearLR start 1, end 0, 1 iteration", () -> new LinearLR(sgd(), 1f, 0f, 1)),
                ok("LinearLR end 1", () -> new LinearLR(sgd(), 0.5f, 1f, 1)),
                ok("MultiStepLR milestone 0, gamma 0", () -> new MultiStepLR(sgd(), new int[] {0}, 0f)),
                ok("MultiStepLR without milestones", () -> new MultiStepLR(sgd(), new int[0], 0.5f)),
                ok("SequentialLR milestone 1", () -> {
                    SGD opt = sgd();
                    return new SequentialLR(opt, List.of(new StepLR(opt, 1, 1f), new StepLR(opt, 1, 0.5f)), new int[] {1});
                }),
                ok("linear warm-up of 1 step", () -> {
                    SGD opt = sgd();
                    return SequentialLR.withLinearWarmup(opt, 1, 0.5f, new StepLR(opt, 1, 0.5f));
                }),
                ok("ReduceLROnPlateau factor 0, eps 0", () -> new ReduceLROnPlateau(sgd(), ReduceLROnPlateau.Mode.MIN, 0f,
                        0, 0f, ReduceLROnPlateau.ThresholdMode.REL, 0, 0f, 0f)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void boundaryValuesAreAccepted(Supplier<Object> make) {
        make.get();
    }

    private static Arguments bad(String message, Supplier<Object> make) {
        return Arguments.of(message, make);
    }

    static Stream<Arguments> rejected() {
        return Stream.of(
                bad("Adam: beta2 must be in [0, 1), got 1.0", () -> new Adam(params(), 0.1f, 0.9f, 1f, 1e-8f, 0f, false)),
                bad("Adam: beta2 must be in [0, 1), got -0.1", () -> new Adam(params(), 0.1f, 0.9f, -0.1f, 1e-8f, 0f, false)),
                bad("Adam: weight_decay must be >= 0, got -0.1", () -> new Adam(params(), 0.1f, 0.9f, 0.99f, 1e-8f, -0.1f, false)),
                bad("Adam: eps must be >= 0, got -1.0E-8", () -> new Adam(params(), 0.1f, 0.9f, 0.99f, -1e-8f, 0f, false)),
                bad("RMSprop: eps must be >= 0, got -1.0", () -> new RMSprop(params(), 0.1f, 0.9f, -1f, 0f, 0f, false)),
                bad("RMSprop: weight_decay must be >= 0, got -0.1", () -> new RMSprop(params(), 0.1f, 0.9f, 0f, -0.1f, 0f, false)),
                bad("SGD: lr must be >= 0, got -0.1", () -> new SGD(params(), -0.1f)),
                bad("SGD: dampening must be a number, got NaN", () -> new SGD(params(), 0.1f, 0.9f, Float.NaN, 0f, false)),
                bad("SequentialLR: milestones must be strictly increasing epochs >= 1, got [2, 2]", () -> {
                    SGD opt = sgd();
                    return new SequentialLR(opt, List.of(new StepLR(opt, 1, 1f), new StepLR(opt, 1, 0.5f),
                            new StepLR(opt, 1, 0.5f)), new int[] {2, 2});
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void valuesJustOutsideAreRejectedNamingTheValue(String message, Supplier<Object> make) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, make::get);
        assertEquals(message, e.getMessage());
    }

    @Test
    void zeroLimitsClipEveryGradientToZero() {
        Tensor a = Tensor.zeros(3).requiresGrad(true);
        a.setGrad(Tensor.of(new float[] {-2f, 0.5f, 3f}));
        assertEquals(3f, GradClip.clipGradNorm(List.of(a), 0f, Float.POSITIVE_INFINITY));
        assertArrayEquals(new float[] {0f, 0f, 0f}, a.grad().toFloatArray(), 1e-6f);
        a.setGrad(Tensor.of(new float[] {-2f, 0.5f, 3f}));
        GradClip.clipGradValue(List.of(a), 0f);
        assertArrayEquals(new float[] {0f, 0f, 0f}, a.grad().toFloatArray(), 0f);
    }

    @Test
    void setLrOfOneGroupRejectsANegativeRateAndKeepsTheOldOne() {
        SGD opt = new SGD(List.of(new ParamGroup(params()), new ParamGroup(params(), 0.5f)), new SGD.Options().lr(0.1f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.setLr(1, -1f));
        assertEquals("SGD: lr must be >= 0, got -1.0", e.getMessage());
        assertEquals(0.5f, opt.lr(1));
    }

    @Test
    void aBadValueInALaterGroupIsNamedWithItsGroupAtTheNextStep() {
        SGD opt = new SGD(List.of(new ParamGroup(params()), new ParamGroup(params(), 0.5f)), new SGD.Options().lr(0.1f));
        opt.paramGroups().get(1).set(ParamGroup.WEIGHT_DECAY, -1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, opt::step);
        assertEquals("SGD: weight_decay must be >= 0, got -1.0 (param group 1)", e.getMessage());
    }
}
