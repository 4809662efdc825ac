package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every optimizer shares: groups, zeroGrad, skipping, learning rates, state save and restore. */
class OptimizerTest {
    static Stream<Arguments> optimizers() {
        Function<List<Tensor>, Optimizer> sgd = ps -> new SGD(ps, 0.05f, 0.9f, 0f, 0.01f, true);
        Function<List<Tensor>, Optimizer> adam = ps -> new Adam(ps, 0.01f, 0.8f, 0.7f, 1e-8f, 0.1f, true);
        Function<List<Tensor>, Optimizer> adamW = ps -> new AdamW(ps, 0.01f);
        Function<List<Tensor>, Optimizer> rms = ps -> new RMSprop(ps, 0.01f, 0.9f, 1e-8f, 0.01f, 0.5f, true);
        return Stream.of(Arguments.of("SGD", sgd), Arguments.of("Adam", adam), Arguments.of("AdamW", adamW),
                Arguments.of("RMSprop", rms));
    }

    private static List<Tensor> params() {
        Generator g = new Generator(1);
        return List.of(Tensor.randn(g, 2, 3).requiresGrad(true), Tensor.randn(g, 3).requiresGrad(true));
    }

    /** One step with a fixed, step-dependent gradient on every parameter. */
    private static void step(Optimizer opt, List<Tensor> ps, int s) {
        for (int i = 0; i < ps.size(); i++) {
            ps.get(i).setGrad(Tensor.randn(new Generator(100L * s + i), ps.get(i).shape()));
        }
        opt.step();
    }

    private static List<Tensor> copies(List<Tensor> ps) {
        return ps.stream().map(p -> Tensor.of(p.toFloatArray(), p.shape()).requiresGrad(true)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void restoredStateContinuesIdentically(String name, Function<List<Tensor>, Optimizer> make) {
        List<Tensor> ps = params();
        Optimizer opt = make.apply(ps);
        for (int s = 0; s < 3; s++) {
            step(opt, ps, s);
        }
        OptimizerState saved = opt.stateDict();
        List<Tensor> resumedParams = copies(ps);
        Optimizer resumed = make.apply(resumedParams);
        resumed.setLr(123f); // overwritten by the saved group hyper-parameters
        resumed.loadStateDict(saved);
        assertEquals(opt.lr(), resumed.lr());
        for (int s = 3; s < 6; s++) {
            step(opt, ps, s);
            step(resumed, resumedParams, s);
        }
        for (int i = 0; i < ps.size(); i++) {
            assertArrayEquals(ps.get(i).toFloatArray(), resumedParams.get(i).toFloatArray(), name + " parameter " + i);
        }
    }

    @Test
    void stateDictUsesPyTorchStyleKeysAndIsACopy() {
        List<Tensor> ps = params();
        Adam opt = new Adam(List.of(new ParamGroup(List.of(ps.get(0))), new ParamGroup(List.of(ps.get(1)), 0.5f)),
                new Adam.Options().lr(0.01f).amsgrad(true));
        step(opt, ps, 0);
        step(opt, ps, 1);
        OptimizerState st = opt.stateDict();
        assertTrue(st.tensors().keySet().containsAll(List.of("state.0.exp_avg", "state.0.exp_avg_sq",
                "state.0.max_exp_avg_sq", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq")), st.tensors().keySet().toString());
        assertEquals(2.0, st.scalars().get("state.0.step"));
        assertEquals(1.0, st.scalars().get("group.1.num_params"));
        assertEquals(0.5f, st.scalars().get("group.1.lr").floatValue());
        assertEquals(0.01f, st.scalars().get("group.0.lr").floatValue());
        assertEquals(1.0, st.scalars().get("group.0.amsgrad"));
        float[] before = st.tensors().get("state.0.exp_avg").toFloatArray();
        step(opt, ps, 2);
        assertArrayEquals(before, st.tensors().get("state.0.exp_avg").toFloatArray(), "later steps leave the snapshot alone");
        assertThrows(UnsupportedOperationException.class, () -> st.scalars().put("x", 1.0));
    }

    @Test
    void loadStateDictRejectsAMismatchAndChangesNothing() {
        List<Tensor> ps = params();
        SGD opt = new SGD(ps, 0.1f, 0.9f);
        step(opt, ps, 0);
        OptimizerState st = opt.stateDict();

        SGD oneParam = new SGD(List.of(Tensor.zeros(2, 3).requiresGrad(true)), 0.1f, 0.9f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> oneParam.loadStateDict(st));
        assertTrue(e.getMessage().startsWith("SGD: "), e.getMessage());

        SGD otherShape = new SGD(List.of(Tensor.zeros(2, 3).requiresGrad(true), Tensor.zeros(4).requiresGrad(true)), 0.2f, 0.9f);
        e = assertThrows(IllegalArgumentException.class, () -> otherShape.loadStateDict(st));
        assertEquals("SGD: saved buffer 'state.1.momentum_buffer' is FLOAT32 [3] but parameter 1 is FLOAT32 [4]", e.getMessage());
        assertEquals(0.2f, otherShape.lr(), "nothing changed");

        Map<String, Double> scalars = new HashMap<>(st.scalars());
        scalars.put("group.0.betas", 0.5);
        SGD fresh = new SGD(copies(ps), 0.1f, 0.9f);
        e = assertThrows(IllegalArgumentException.class, () -> fresh.loadStateDict(new OptimizerState(st.tensors(), scalars)));
        assertTrue(e.getMessage().startsWith("SGD: unknown hyper-parameter 'betas'"), e.getMessage());
    }

    @Test
    void zeroGradClearsEveryGradient() {
        List<Tensor> ps = params();
        SGD opt = new SGD(ps, 0.1f);
        Tensor loss = ps.get(0).sum().add(ps.get(1).square().sum());
        loss.backward();
        assertNotNull(ps.get(0).grad());
        opt.zeroGrad();
        assertNull(ps.get(0).grad());
        assertNull(ps.get(1).grad());
    }

    @Test
    void zeroGradWithoutSetToNoneKeepsAndZeroesTheBuffers() {
        List<Tensor> ps = params();
        SGD opt = new SGD(ps, 0.1f);
        ps.get(0).sum().backward();
        Tensor grad = ps.get(0).grad();
        opt.zeroGrad(false);
        assertSame(grad, ps.get(0).grad());
        assertArrayEquals(new float[grad.toFloatArray().length], grad.toFloatArray());
        assertNull(ps.get(1).grad(), "a parameter without a gradient keeps none");
        ps.get(0).sum().backward();
        assertSame(grad, ps.get(0).grad(), "the next backward accumulates into the same buffer");
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        List<Tensor> ps = params();
        float[] frozen = ps.get(1).toFloatArray();
        Adam opt = new Adam(ps, 0.1f);
        ps.get(0).setGrad(Tensor.ones(2, 3));
        opt.step();
        assertArrayEquals(frozen, ps.get(1).toFloatArray());
        assertTrue(opt.stateDict().tensors().keySet().stream().noneMatch(k -> k.startsWith("state.1.")));
        assertArrayEquals(new float[] {-0.1f, -0.1f, -0.1f, -0.1f, -0.1f, -0.1f},
                ps.get(0).sub(params().get(0)).toFloatArray(), 1e-5f);
    }

    @Test
    void trainsThroughARealBackward() {
        // Minimise (w - 3)^2 + (b + 1)^2 from zeros: the parameters converge in place.
        Tensor w = Tensor.zeros(2).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        Optimizer opt = new SGD(List.of(w, b), 0.1f, 0.5f);
        for (int i = 0; i < 100; i++) {
            opt.zeroGrad();
            w.sub(3f).square().sum().add(b.add(1f).square().sum()).backward();
            opt.step();
        }
        assertArrayEquals(new float[] {3f, 3f}, w.toFloatArray(), 1e-4f);
        assertArrayEquals(new float[] {-1f}, b.toFloatArray(), 1e-4f);
        assertTrue(w.requiresGrad() && w.isLeaf());
    }

    @Test
    void learningRatesForAllGroupsAndEachGroup() {
        List<Tensor> ps = params();
        SGD opt = new SGD(List.of(new ParamGroup(List.of(ps.get(0))), new ParamGroup(List.of(ps.get(1)), 0.5f)),
                new SGD.Options().lr(0.1f));
        assertEquals(0.1f, opt.lr());
        assertEquals(0.5f, opt.lr(1));
        opt.setLr(1, 0.25f);
        assertEquals(0.25f, opt.paramGroups().get(1).lr());
        opt.setLr(0.01f);
        assertEquals(0.01f, opt.lr(0));
        assertEquals(0.01f, opt.lr(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.setLr(-1f));
        assertEquals("SGD: lr must be >= 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> opt.setLr(2, 0.1f));
        assertEquals("SGD: param group 2 does not exist; there are 2", e.getMessage());
    }

    @Test
    void addParamGroupFillsDefaults() {
        List<Tensor> ps = params();
        SGD opt = new SGD(List.of(ps.get(0)), 0.1f, 0.9f);
        opt.addParamGroup(new ParamGroup(List.of(ps.get(1)), 0.01f));
        assertEquals(0.9, opt.paramGroups().get(1).get(SGD.MOMENTUM), 1e-7);
        assertEquals(0.01f, opt.lr(1));
        assertEquals(2, opt.parameters().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> opt.addParamGroup(new ParamGroup(List.of(ps.get(0)))));
        assertTrue(e.getMessage().contains("appears more than once"), e.getMessage());
    }

    @Test
    void rejectsBadParameterLists() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1f));
        assertEquals("SGD: got an empty parameter list", e.getMessage());
        Tensor p = Tensor.ones(2).requiresGrad(true);
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p, p), 0.1f));
        assertTrue(e.getMessage().contains("parameter 1 of param group 0 (shape [2]) appears more than once"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(p.mul(2f)), 0.1f));
        assertTrue(e.getMessage().contains("is not a leaf tensor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(Tensor.ofInts(new int[] {1}, 1)), 0.1f));
        assertTrue(e.getMessage().contains("only FLOAT32 tensors can be optimized"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(List.of(new ParamGroup(List.of(p)).set("beta1", 0.9)), new SGD.Options()));
        assertEquals("SGD: unknown hyper-parameter 'beta1'; known: [lr, momentum, dampening, weight_decay, nesterov]",
                e.getMessage());
    }

    @Test
    void invalidValuesSetOnAGroupAreCaughtAtTheNextStep() {
        Tensor p = Tensor.ones(2).requiresGrad(true);
        SGD opt = new SGD(List.of(p), 0.1f);
        opt.paramGroups().get(0).set(SGD.MOMENTUM, -1);
        p.setGrad(Tensor.ones(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, opt::step);
        assertEquals("SGD: momentum must be >= 0, got -1.0", e.getMessage());
        assertArrayEquals(new float[] {1f, 1f}, p.toFloatArray());
    }

    @Test
    void stepRunsWithoutRecordingAndInPlaceOpsNeedNoGrad() {
        Tensor p = Tensor.ones(2).requiresGrad(true);
        p.setGrad(Tensor.ones(2));
        new SGD(List.of(p), 0.5f).step();
        assertTrue(p.isLeaf(), "the update was not recorded");
        assertArrayEquals(new float[] {0.5f, 0.5f}, p.toFloatArray());
        assertThrows(IllegalStateException.class, () -> p.addInPlace(Tensor.ones(2)), "outside no-grad core refuses");
    }

    @Test
    void aStateKeyNamingAGroupOrParameterOnePastTheEndIsRejected() {
        List<Tensor> ps = params();
        SGD opt = new SGD(ps, 0.1f, 0.9f);
        step(opt, ps, 0);
        OptimizerState st = opt.stateDict();
        Map<String, Double> scalars = new HashMap<>(st.scalars());
        scalars.put("group.1.lr", 0.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(copies(ps), 0.1f, 0.9f).loadStateDict(new OptimizerState(st.tensors(), scalars)));
        assertEquals("SGD: state key 'group.1.lr' names param group 1 but this optimizer has 1", e.getMessage());
    }
}
