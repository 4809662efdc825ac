package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Random;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PyTorch-style loop (zeroGrad, backward, step) writes each step's linear-weight gradients
 * into the buffers of the previous step's, since the built-in optimizers keep no reference to
 * them; it trains bit for bit as a loop whose gradients all live in new buffers. An optimizer
 * that keeps the gradients it is given keeps their values. ({@code assertArrayEquals} on float
 * arrays compares bit patterns.)
 */
class GradientReuseTrainingTest {
    private static final Tensor X = Tensor.randn(new Generator(3), 16, 6);
    private static final Tensor Y = Tensor.randn(new Generator(4), 16, 2);

    private static Module model() {
        Random.manualSeed(5);
        return new Sequential(new Linear(6, 8), new ReLU(), new Linear(8, 2));
    }

    private static Tensor loss(Module m, int step) {
        return m.forward(X.mul(1f + 0.1f * step)).sub(Y).square().mean();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tessera.nn.optim.OptimizerTest#optimizers")
    void trainsAsWithNewGradientBuffers(String name, Function<List<Tensor>, Optimizer> make) {
        Module reusing = model();
        Module fresh = model();
        Optimizer a = make.apply(reusing.parameters());
        Optimizer b = make.apply(fresh.parameters());
        Tensor firstWeight = reusing.parameters().get(0);
        Tensor previous = null;
        for (int s = 0; s < 6; s++) {
            a.zeroGrad();
            loss(reusing, s).backward();
            a.step();
            if (previous != null) {
                assertSame(previous, firstWeight.gradForUpdate(), name + ": step " + s + " reuses the buffer");
            }
            previous = firstWeight.gradForUpdate();

            b.zeroGrad();
            loss(fresh, s).backward();
            for (Tensor p : fresh.parameters()) {
                p.grad(); // seen by a caller: its buffer is never reused
            }
            b.step();
        }
        for (int i = 0; i < reusing.parameters().size(); i++) {
            assertArrayEquals(fresh.parameters().get(i).toFloatArray(), reusing.parameters().get(i).toFloatArray(),
                    name + ": parameter " + i + ", bit for bit");
        }
    }

    @Test
    void anOptimizerThatKeepsGradientsKeepsTheirValues() {
        Module m = model();
        KeepingOptimizer opt = new KeepingOptimizer(m.parameters());
        opt.zeroGrad();
        loss(m, 0).backward();
        opt.step();
        Tensor kept = opt.kept.get(0);
        float[] values = kept.toFloatArray();
        opt.zeroGrad();
        loss(m, 1).backward();
        opt.step();
        assertNotSame(kept, opt.kept.get(opt.kept.size() / 2));
        assertArrayEquals(values, kept.toFloatArray(), "the first step's gradient is intact");
    }

    /** Plain gradient descent that keeps every gradient it is given (and so keeps the default retainsGradients). */
    private static final class KeepingOptimizer extends Optimizer {
        final List<Tensor> kept = new ArrayList<>();

        KeepingOptimizer(List<Tensor> params) {
            super("Keeping", singleGroup(params), java.util.Map.of(ParamGroup.LR, 0.1));
        }

        @Override
        protected void update(ParamGroup group, Tensor param, Tensor grad, ParamState state) {
            kept.add(grad);
            param.addInPlace(grad, -(float) group.lr());
        }

        @Override
        protected void validate(ParamGroup group, String where) {
        }
    }
}
