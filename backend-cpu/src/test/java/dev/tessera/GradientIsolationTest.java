package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.BinaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Gradients that backward() shares internally never leak out: a leaf's gradient is its own
 * contiguous tensor, not the caller's gradient argument nor a gradient another branch still
 * needs, and adding a slice's gradient in place into its parent's gradient happens only when
 * backward allocated that gradient itself.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class GradientIsolationTest {

    @Test
    void aLeafRootKeepsACopyOfTheGivenGradient() {
        Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor g = Tensor.of(new float[] {1, 1});
        x.backward(g);
        try (var ng = Tensor.noGrad()) {
            g.fill(5f);
        }
        assertArrayEquals(new float[] {1, 1}, x.grad().toFloatArray());
    }

    @Test
    void aGradientPassedThroughUnchangedIsCopiedIntoTheLeaf() {
        Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        Tensor g = Tensor.of(new float[] {1, 3});
        x.add(1f).backward(g); // add's backward hands g itself on to x
        try (var ng = Tensor.noGrad()) {
            g.fill(5f);
        }
        assertArrayEquals(new float[] {1, 3}, x.grad().toFloatArray());
    }

    @Test
    void theGradientOfALeafUsedThroughATransposeIsContiguous() {
        Tensor w = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor weights = Tensor.of(new float[] {1, 10, 100, 1000, 10000, 100000}, 3, 2);
        w.t().mul(weights).sum().backward();
        assertTrue(w.grad().isContiguous());
        assertArrayEquals(new float[] {1, 100, 10000, 10, 1000, 100000}, w.grad().toFloatArray());
    }

    /**
     * L = sum(y + q) + sum(y[0:2]) with y = 2x and q = 3x: add's backward hands one gradient tensor to
     * both y and q, so the slice's gradient must not be added into it in place. dL/dx = [7, 7, 5, 5]
     * whichever term comes first.
     */
    @ParameterizedTest(name = "slice term first: {0}")
    @ValueSource(booleans = {false, true})
    void aSliceGradientIsNotAddedIntoAGradientAnotherBranchShares(boolean sliceFirst) {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}).requiresGrad(true);
        Tensor y = x.mul(2f);
        Tensor q = x.mul(3f);
        Tensor whole = y.add(q).sum();
        Tensor part = y.slice(0, 0, 2).sum();
        BinaryOperator<Tensor> plus = Tensor::add;
        Tensor loss = sliceFirst ? plus.apply(part, whole) : plus.apply(whole, part);
        loss.backward();
        assertArrayEquals(new float[] {7, 7, 5, 5}, x.grad().toFloatArray());
    }

    /** Two slices of one tensor and a use of all of it: the slices' gradients go to the right places. */
    @ParameterizedTest(name = "whole term first: {0}")
    @ValueSource(booleans = {false, true})
    void slicesOfOneTensorAddTheirGradientsIntoTheirRegions(boolean wholeFirst) {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}).requiresGrad(true);
        Tensor y = x.mul(1f);
        Tensor a = y.slice(0, 0, 3).mul(2f).sum();
        Tensor b = y.slice(0, 2, 6).mul(10f).sum();
        Tensor whole = y.mul(Tensor.of(new float[] {100, 200, 300, 400, 500, 600})).sum();
        Tensor loss = wholeFirst ? whole.add(a).add(b) : a.add(b).add(whole);
        loss.backward();
        assertArrayEquals(new float[] {102, 202, 312, 410, 510, 610}, x.grad().toFloatArray());
    }

    @Test
    void aRetainedGraphWithTwoSlicesOfOneTensorRunsTwice() {
        // The second slice's gradient is added in place into the one the first allocated; with
        // retainGraph that path must keep its node for the next pass too.
        Tensor x = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        Tensor y = x.mul(1f);
        Tensor loss = y.slice(0, 0, 2).sum().add(y.slice(0, 1, 3).mul(2f).sum());
        loss.backward(Tensor.scalar(1f), true);
        loss.backward(Tensor.scalar(1f), true);
        assertArrayEquals(new float[] {2, 6, 4}, x.grad().toFloatArray());
    }
}
