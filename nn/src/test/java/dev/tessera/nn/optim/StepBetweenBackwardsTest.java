package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.Tanh;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Optimizer steps and autograd's version counters: a step modifies the parameters in place, so a
 * backward through a graph recorded before the step (kept with retainGraph) fails instead of using
 * the new weights, while the usual loop (forward, backward, step, with a new graph each time, and
 * BatchNorm updating its running statistics in the forward pass) keeps working.
 */
class StepBetweenBackwardsTest {
    private static final Tensor X = Tensor.randn(new Generator(7), 8, 3);
    private static final Tensor Y = Tensor.randn(new Generator(8), 8, 1);

    private static Module model() {
        return new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Tanh(), new Linear(4, 1));
    }

    private static Tensor loss(Module m) {
        return m.forward(X).sub(Y).square().mean();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tessera.nn.optim.OptimizerTest#optimizers")
    void backwardThroughAGraphRecordedBeforeTheStepFails(String name, Function<List<Tensor>, Optimizer> make) {
        Module m = model();
        Optimizer opt = make.apply(m.parameters());
        Tensor loss = loss(m);
        loss.backward(Tensor.scalar(1f), true);
        opt.step();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward, name);
        String message = e.getMessage();
        assertTrue(message.contains("input 1 of 'linear' (shape [1, 4]"), message);
        // Initialisation wrote the weights in place already: the step makes version n + 1 of n.
        Matcher versions = Pattern.compile("is at version (\\d+); expected version (\\d+)").matcher(message);
        assertTrue(versions.find(), message);
        assertEquals(Integer.parseInt(versions.group(2)) + 1, Integer.parseInt(versions.group(1)), message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.tessera.nn.optim.OptimizerTest#optimizers")
    void theUsualLoopKeepsWorking(String name, Function<List<Tensor>, Optimizer> make) {
        Module m = model();
        Optimizer opt = make.apply(m.parameters());
        float first = 0f;
        float last = 0f;
        for (int step = 0; step < 20; step++) {
            opt.zeroGrad();
            Tensor loss = loss(m);
            loss.backward();
            opt.step();
            last = loss.item();
            if (step == 0) {
                first = last;
            }
        }
        assertTrue(last < first, name + ": loss " + first + " -> " + last);
    }
}
