package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * What the losses refuse, each with a message naming the loss and the argument at fault: integer
 * tensors where floats are needed, a weight that would broadcast the loss to a bigger shape, shapes
 * that differ, bad class weights and label smoothing given to a module's constructor; and the edge
 * cases that must still give exact values.
 */
class LossInputChecksTest {
    private static final Tensor F3 = Tensor.of(new float[] {0.2f, 0.5f, 0.9f});
    private static final Tensor I3 = Tensor.ofInts(new int[] {0, 1, 1}, 3);

    static Stream<Arguments> rejected() {
        return Stream.of(
                Arguments.of("mseLoss: target must be FLOAT32, got INT32 of shape [3]",
                        (Supplier<Tensor>) () -> F.mseLoss(F3, I3)),
                Arguments.of("mseLoss: input must be FLOAT32, got INT32 of shape [3]",
                        (Supplier<Tensor>) () -> F.mseLoss(I3, F3)),
                Arguments.of("crossEntropy: input must be FLOAT32, got INT32 of shape [3]",
                        (Supplier<Tensor>) () -> F.crossEntropy(I3, Tensor.ofInts(new int[] {1}, new int[0]))),
                Arguments.of("binaryCrossEntropy: input shape [3] and target shape [3, 1] differ (losses do not broadcast: that"
                        + " would silently compare every element with every other; reshape one of them)",
                        (Supplier<Tensor>) () -> F.binaryCrossEntropy(F3, F3.reshape(3, 1))),
                Arguments.of("binaryCrossEntropyWithLogits: weight must be FLOAT32, got INT32 of shape [3]",
                        (Supplier<Tensor>) () -> F.binaryCrossEntropyWithLogits(F3, F3, I3, null, Reduction.MEAN)),
                Arguments.of("binaryCrossEntropyWithLogits: weight of shape [2, 3] does not broadcast to the input shape [3]",
                        (Supplier<Tensor>) () -> F.binaryCrossEntropyWithLogits(F3, F3, Tensor.ones(2, 3), null, Reduction.SUM)),
                Arguments.of("binaryCrossEntropy: weight of shape [2, 3] does not broadcast to the input shape [3]",
                        (Supplier<Tensor>) () -> F.binaryCrossEntropy(F3, F3, Tensor.ones(2, 3), Reduction.SUM)),
                Arguments.of("nllLoss: class weight must be FLOAT32, got INT32 of shape [3]",
                        (Supplier<Tensor>) () -> F.nllLoss(Tensor.zeros(2, 3), Tensor.ofInts(new int[] {0, 2}, 2), I3,
                                Reduction.MEAN, -100)),
                Arguments.of("crossEntropy: class weight must have shape [C] = [3], got [2]",
                        (Supplier<Tensor>) () -> F.crossEntropy(Tensor.zeros(2, 3), Tensor.full(1f / 3, 2, 3), Tensor.ones(2),
                                Reduction.MEAN, -100, 0f)),
                Arguments.of("CrossEntropyLoss: labelSmoothing must be in [0, 1], got 1.5",
                        (Supplier<Object>) () -> new CrossEntropyLoss(Reduction.MEAN, -100, 1.5f)),
                Arguments.of("CrossEntropyLoss: class weight must be FLOAT32, got INT32 of shape [3]",
                        (Supplier<Object>) () -> new CrossEntropyLoss(I3, Reduction.MEAN, -100, 0f)),
                Arguments.of("CrossEntropyLoss: class weight must have shape [C], got [1, 3]",
                        (Supplier<Object>) () -> new CrossEntropyLoss(F3.reshape(1, 3), Reduction.MEAN, -100, 0f)),
                Arguments.of("oneHot: cannot infer numClasses from empty labels of shape [0]",
                        (Supplier<Object>) () -> F.oneHot(Tensor.ofInts(new int[0], 0), -1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void rejectsNamingTheArgument(String message, Supplier<?> call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::get);
        assertEquals(message, e.getMessage());
    }

    @Test
    void aMinusInfinityLogitForAnotherClassGivesAZeroLossWithoutSmoothing() {
        // log_softmax([-inf, 0]) = [-inf, 0]; the target's term is 0, and the -inf must not reach the sum (as PyTorch).
        Tensor logits = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, 0f}, 1, 2);
        assertEquals(0f, F.crossEntropy(logits, Tensor.ofInts(new int[] {1}, 1)).item());
    }

    @Test
    void softTargetsWithClassWeights() {
        // logits [0, ln 3] -> log-probabilities [ln 1/4, ln 3/4]; targets [0.5, 0.5], weights [2, 1]:
        // -(2 * 0.5 * ln 1/4 + 1 * 0.5 * ln 3/4) = ln 4 + 0.5 ln 4/3
        Tensor logits = Tensor.of(new float[] {0f, (float) Math.log(3)}, 1, 2);
        Tensor loss = F.crossEntropy(logits, Tensor.of(new float[] {0.5f, 0.5f}, 1, 2), Tensor.of(new float[] {2f, 1f}),
                Reduction.MEAN, -100, 0f);
        assertEquals(Math.log(4) + 0.5 * Math.log(4.0 / 3), loss.item(), 1e-6);
    }

    @Test
    void aCausalMaskOfSizeZeroIsEmpty() {
        assertArrayEquals(new int[] {0, 0}, F.causalMask(0).shape());
    }

    @Test
    void modulesReportTheirSettings() {
        Tensor w = Tensor.ones(3);
        BCEWithLogitsLoss bce = new BCEWithLogitsLoss(w, null, Reduction.SUM);
        assertEquals(Reduction.SUM, bce.reduction());
        assertSame(w, bce.weight());
        assertNull(bce.posWeight());
        CrossEntropyLoss ce = new CrossEntropyLoss(w, Reduction.NONE, 7, 0.25f);
        assertSame(w, ce.weight());
        assertEquals(0.25f, ce.labelSmoothing());
        assertNull(new CrossEntropyLoss().weight());
    }
}
