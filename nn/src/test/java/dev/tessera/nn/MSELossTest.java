package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.GradCheck;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** MSELoss and L1Loss, the two elementwise regression losses. */
class MSELossTest {
    private static final float[] A = {0.5f, -1.25f, 3f, 2f, -0.75f, 0.1f};
    private static final float[] B = {1.5f, -1f, 0.5f, 2.5f, 0.25f, -0.4f};

    private static double expected(boolean squared, Reduction r, int i) {
        double d = (double) A[i] - B[i];
        return squared ? d * d : Math.abs(d);
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void mseMatchesOracle(Reduction r) {
        check(true, r, F.mseLoss(Tensor.of(A, 2, 3), Tensor.of(B, 2, 3), r));
        check(true, r, new MSELoss(r).forward(Tensor.of(A, 2, 3), Tensor.of(B, 2, 3)));
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void l1MatchesOracle(Reduction r) {
        check(false, r, F.l1Loss(Tensor.of(A, 2, 3), Tensor.of(B, 2, 3), r));
        check(false, r, new L1Loss(r).forward(Tensor.of(A, 2, 3), Tensor.of(B, 2, 3)));
    }

    private static void check(boolean squared, Reduction r, Tensor out) {
        double sum = 0;
        float[] per = new float[A.length];
        for (int i = 0; i < A.length; i++) {
            sum += expected(squared, r, i);
            per[i] = (float) expected(squared, r, i);
        }
        switch (r) {
            case NONE -> {
                assertArrayEquals(new int[] {2, 3}, out.shape());
                assertArrayEquals(per, out.toFloatArray(), 1e-6f);
            }
            case SUM -> assertEquals(sum, out.item(), 1e-5);
            case MEAN -> assertEquals(sum / A.length, out.item(), 1e-6);
        }
    }

    @Test
    void defaultsAreMean() {
        Tensor a = Tensor.of(A);
        Tensor b = Tensor.of(B);
        assertEquals(F.mseLoss(a, b, Reduction.MEAN).item(), F.mseLoss(a, b).item());
        assertEquals(F.mseLoss(a, b).item(), new MSELoss().forward(a, b).item());
        assertEquals(F.l1Loss(a, b, Reduction.MEAN).item(), new L1Loss().forward(a, b).item());
        assertEquals(F.l1Loss(a, b).item(), new L1Loss().forward(a, b).item());
        assertEquals(Reduction.MEAN, new MSELoss().reduction());
        assertEquals(Reduction.MEAN, new L1Loss().reduction());
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Tensor a = Tensor.randn(new Generator(1), 3, 4);
        Tensor b = Tensor.randn(new Generator(2), 3, 4);
        GradCheck.assertGradients(in -> F.mseLoss(in[0], in[1]), a, b);
        GradCheck.assertGradients(in -> F.mseLoss(in[0], in[1], Reduction.NONE), a, b);
        // The differences are all far from 0 (the kink of |x|) compared with the check's step.
        GradCheck.assertGradients(in -> F.l1Loss(in[0], in[1], Reduction.SUM), Tensor.of(A), Tensor.of(B));
    }

    @Test
    void l1GradientIsZeroWhereInputEqualsTarget() {
        Tensor a = Tensor.of(new float[] {1f, 2f}).requiresGrad(true);
        F.l1Loss(a, Tensor.of(new float[] {1f, 0f}), Reduction.SUM).backward();
        assertArrayEquals(new float[] {0f, 1f}, a.grad().toFloatArray());
    }

    @Test
    void refusesToBroadcastMismatchedShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.mseLoss(Tensor.zeros(4), Tensor.zeros(4, 1)));
        assertTrue(e.getMessage().startsWith("mseLoss: input shape [4] and target shape [4, 1] differ"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> F.l1Loss(Tensor.zeros(2), Tensor.ofInts(new int[] {1, 2}, 2)));
        assertTrue(e.getMessage().startsWith("l1Loss: target must be FLOAT32"), e.getMessage());
    }
}
