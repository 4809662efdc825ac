package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LrSchedulerTest {
    private static SGD sgd(float lr) {
        return new SGD(List.of(Tensor.zeros(2).requiresGrad(true)), lr, 0.9f);
    }

    /** The learning rate of the first group now and after each of {@code steps} steps. */
    private static float[] sequence(LrScheduler s, int steps) {
        float[] lrs = new float[steps + 1];
        lrs[0] = s.optimizer().lr();
        for (int i = 1; i <= steps; i++) {
            s.step();
            lrs[i] = s.optimizer().lr();
            assertEquals(lrs[i], s.lastLr());
        }
        return lrs;
    }

    private static float[] floats(double... values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }

    @Test
    void stepLR() {
        // PyTorch StepLR(step_size=2, gamma=0.1) from lr 1: 1, 1, 0.1, 0.1, 0.01, 0.01, 0.001
        assertArrayEquals(floats(1, 1, 0.1, 0.1, 0.01, 0.01, 0.001), sequence(new StepLR(sgd(1f), 2, 0.1f), 6), 1e-7f);
    }

    @Test
    void multiStepLR() {
        assertArrayEquals(floats(0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125),
                sequence(new MultiStepLR(sgd(0.5f), new int[] {5, 2}, 0.5f), 6), 1e-7f);
    }

    @Test
    void exponentialLR() {
        assertArrayEquals(floats(0.1, 0.09, 0.081, 0.0729, 0.06561), sequence(new ExponentialLR(sgd(0.1f), 0.9f), 4), 1e-7f);
    }

    @Test
    void cosineAnnealingLR() {
        // eta_min + (base - eta_min) * (1 + cos(pi * e / 4)) / 2 with base 1, eta_min 0.1
        double c = Math.cos(Math.PI / 4);
        float[] expected = floats(1, 0.1 + 0.9 * (1 + c) / 2, 0.55, 0.1 + 0.9 * (1 - c) / 2, 0.1, 0.1 + 0.9 * (1 - c) / 2);
        assertArrayEquals(expected, sequence(new CosineAnnealingLR(sgd(1f), 4, 0.1f), 5), 1e-6f);
        assertEquals(0.0, new CosineAnnealingLR(sgd(1f), 10).lrAt(10, 1.0), 1e-12);
    }

    @Test
    void linearLR() {
        // PyTorch LinearLR(start_factor=0.25, end_factor=1, total_iters=3) from lr 0.4: 0.1, 0.2, 0.3, 0.4, 0.4
        assertArrayEquals(floats(0.1, 0.2, 0.3, 0.4, 0.4), sequence(new LinearLR(sgd(0.4f), 0.25f, 1f, 3), 4), 1e-7f);
        // PyTorch's defaults: 1/3 -> 1 over 5 epochs
        assertArrayEquals(floats(1 / 3.0, 7 / 15.0), sequence(new LinearLR(sgd(1f)), 1), 1e-6f);
    }

    @Test
    void lambdaLR() {
        assertArrayEquals(floats(0.25, 0.5, 0.75, 1, 1),
                sequence(new LambdaLR(sgd(1f), e -> Math.min(1.0, (e + 1) / 4.0)), 4), 1e-7f);
    }

    @Test
    void warmupThenCosineRestartsTheCosineAtTheMilestone() {
        SGD opt = sgd(1f);
        CosineAnnealingLR cosine = new CosineAnnealingLR(opt, 4, 0f);
        SequentialLR sched = SequentialLR.withLinearWarmup(opt, 2, 0.5f, cosine);
        double c = Math.cos(Math.PI / 4);
        // warm-up 0.5, 0.75; then cosine from epoch 0: 1, (1 + c) / 2, 0.5, (1 - c) / 2, 0
        float[] expected = floats(0.5, 0.75, 1, (1 + c) / 2, 0.5, (1 - c) / 2, 0);
        assertArrayEquals(expected, sequence(sched, 6), 1e-6f);
    }

    @Test
    void sequentialOfThreeSchedulers() {
        SGD opt = sgd(1f);
        LrScheduler constant = new LambdaLR(opt, e -> 0.1);
        LrScheduler exp = new ExponentialLR(opt, 0.5f);
        LrScheduler step = new StepLR(opt, 1, 0.1f);
        SequentialLR sched = new SequentialLR(opt, List.of(constant, exp, step), new int[] {2, 4});
        assertArrayEquals(floats(0.1, 0.1, 1, 0.5, 1, 0.1), sequence(sched, 5), 1e-7f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SequentialLR(opt, List.of(constant, exp), new int[] {0}));
        assertTrue(e.getMessage().startsWith("SequentialLR: milestones must be strictly increasing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SequentialLR(opt, List.of(constant, new StepLR(sgd(1f), 1, 0.5f)), new int[] {3}));
        assertTrue(e.getMessage().contains("scheduler 1 (StepLR) drives a different optimizer"), e.getMessage());
    }

    @Test
    void eachGroupIsScaledFromItsOwnBaseLr() {
        Tensor a = Tensor.zeros(1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        SGD opt = new SGD(List.of(new ParamGroup(List.of(a), 0.01f), new ParamGroup(List.of(b), 1f)), new SGD.Options());
        StepLR s = new StepLR(opt, 1, 0.5f);
        s.step();
        s.step();
        assertArrayEquals(new float[] {0.0025f, 0.25f}, s.lastLrs());
        assertEquals(0.0025f, opt.lr(0));
        assertEquals(0.25f, opt.lr(1));
        assertEquals(1.0, s.baseLr(1), 1e-7);
    }

    @Test
    void stateRestoresThePosition() {
        SGD opt = sgd(1f);
        CosineAnnealingLR s = new CosineAnnealingLR(opt, 10, 0.01f);
        for (int i = 0; i < 3; i++) {
            s.step();
        }
        Map<String, Double> state = s.stateDict();
        assertEquals(3.0, state.get("last_epoch"));
        assertEquals(1.0, state.get("base_lr.0"));

        SGD opt2 = sgd(1f);
        CosineAnnealingLR s2 = new CosineAnnealingLR(opt2, 10, 0.01f);
        s2.loadStateDict(state);
        assertEquals(opt.lr(), opt2.lr());
        s.step();
        s2.step();
        assertEquals(s.lastLr(), s2.lastLr());
        assertEquals(4, s2.lastEpoch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s2.loadStateDict(Map.of("last_epoch", 1.0, "base_lr.0", 1.0, "gamma", 2.0)));
        assertEquals("CosineAnnealingLR: unknown state key 'gamma'", e.getMessage());
    }

    @Test
    void theInitialLrIsRecordedInTheGroupAndSavedWithTheOptimizer() {
        SGD opt = sgd(0.3f);
        new ExponentialLR(opt, 0.5f).step();
        assertEquals(0.3f, (float) opt.paramGroups().get(0).get(ParamGroup.INITIAL_LR));
        assertEquals(0.3f, opt.stateDict().scalars().get("group.0.initial_lr").floatValue());
        assertEquals(0.15f, opt.lr());
    }

    @Test
    void validatesArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StepLR(sgd(1f), 0, 0.1f));
        assertEquals("StepLR: stepSize must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(sgd(1f), -0.5f));
        assertEquals("ExponentialLR: gamma must be >= 0, got -0.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(sgd(1f), 0, 0f));
        assertEquals("CosineAnnealingLR: tMax must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LinearLR(sgd(1f), 0f, 1f, 3));
        assertEquals("LinearLR: startFactor must be in (0, 1], got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LinearLR(sgd(1f), 0.5f, 1f, 0));
        assertEquals("LinearLR: totalIters must be >= 1, got 0", e.getMessage());
    }

    @Test
    void creationSetsAndReportsTheEpochZeroRateFromTheInitialLr() {
        // A second scheduler on an optimizer whose rate a first one already lowered starts again from the
        // recorded initial rate, at its own epoch 0, and reports it.
        for (java.util.function.Function<SGD, LrScheduler> make : List.<java.util.function.Function<SGD, LrScheduler>>of(
                o -> new StepLR(o, 3, 0.5f), o -> new ExponentialLR(o, 0.5f), o -> new CosineAnnealingLR(o, 4, 0f),
                o -> new MultiStepLR(o, new int[] {2}, 0.5f))) {
            SGD opt = sgd(0.8f);
            new ExponentialLR(opt, 0.5f).step();
            assertEquals(0.4f, opt.lr());
            LrScheduler s = make.apply(opt);
            assertEquals(0.8f, opt.lr(), s.toString());
            assertEquals(0.8f, s.lastLr(), s.toString());
            assertEquals(0, s.lastEpoch());
        }
    }

    @Test
    void loadingAStateRestoresTheBaseRatesAndEpochZero() {
        SGD opt = sgd(1f);
        StepLR s = new StepLR(opt, 2, 0.5f);
        s.step();
        s.step();
        assertEquals(0.5f, opt.lr());
        s.loadStateDict(Map.of("last_epoch", 2.0, "base_lr.0", 0.25));
        assertEquals(0.125f, opt.lr(), "the saved base rate, not this scheduler's, at the saved epoch");
        assertEquals(0.25, s.baseLr(0));
        s.loadStateDict(Map.of("last_epoch", 0.0, "base_lr.0", 0.25));
        assertEquals(0.25f, opt.lr());
        assertEquals(0, s.lastEpoch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.loadStateDict(Map.of("last_epoch", 1.0, "base_lr.0", 1.0, "base_lr.1", 1.0)));
        assertEquals("StepLR: state has 2 base learning rates, the optimizer has 1 param groups", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.loadStateDict(Map.of("last_epoch", -1.0, "base_lr.0", 1.0)));
        assertEquals("StepLR: state needs a whole 'last_epoch' >= 0, got -1.0", e.getMessage());
    }
}
