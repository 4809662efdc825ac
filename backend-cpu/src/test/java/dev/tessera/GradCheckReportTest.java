package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * GradCheck itself: it fails a wrong gradient, names the first mismatching element by flat
 * position and index, and applies {@code |analytic - numeric| <= atol + rtol * |numeric|}. The wrong
 * gradients come from detach(): {@code x + k * detach(x)} has the numeric gradient {@code 1 + k}
 * but the analytic gradient 1.
 */
class GradCheckReportTest {

    private static Tensor wrongBy(Tensor x, float k) {
        return x.add(x.detach().mul(k));
    }

    @Test
    void namesTheFirstMismatchWithItsIndex() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        GradCheck.Result r = GradCheck.check(in -> wrongBy(in[0], 1f), GradCheck.DEFAULT_EPS, GradCheck.DEFAULT_ATOL,
                GradCheck.DEFAULT_RTOL, x);
        assertFalse(r.passed());
        assertTrue(r.firstMismatch().startsWith("input 0 (shape [2, 3]), element 0 (index [0, 0]): analytic "),
                r.firstMismatch());
        assertTrue(r.maxAbsError() > 0.4, "the error is about one weight in [0.5, 1.5): " + r.maxAbsError());
    }

    @Test
    void aMismatchOnlyInALaterElementIsNamedByItsIndex() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor onlyFifth = Tensor.of(new float[] {0, 0, 0, 0, 1, 0}, 2, 3);
        GradCheck.Result r = GradCheck.check(in -> in[0].add(in[0].detach().mul(onlyFifth)), GradCheck.DEFAULT_EPS,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, x);
        assertTrue(r.firstMismatch().startsWith("input 0 (shape [2, 3]), element 4 (index [1, 1]): "), r.firstMismatch());
        AssertionError e = assertThrows(AssertionError.class,
                () -> GradCheck.assertGradients(in -> in[0].add(in[0].detach().mul(onlyFifth)), x));
        assertTrue(e.getMessage().startsWith("gradient check failed: input 0 (shape [2, 3]), element 4 (index [1, 1])"),
                e.getMessage());
    }

    /**
     * numeric = 1.5 w, analytic = w (w in [0.5, 1.5)): the error 0.5 w passes with rtol 0.4 (0.6 w)
     * and fails with rtol 0.3 (0.45 w); atol 0.
     */
    @ParameterizedTest(name = "rtol {0}: passes {1}")
    @CsvSource({"0.4, true", "0.3, false"})
    void theRelativeToleranceScalesWithTheNumericGradient(double rtol, boolean passes) {
        Tensor x = Tensor.of(new float[] {1, -2, 3});
        GradCheck.Result r = GradCheck.check(in -> wrongBy(in[0], 0.5f), 1e-2, 0, rtol, x);
        assertEquals(passes, r.passed(), String.valueOf(r.firstMismatch()));
    }

    @Test
    void aCorrectGradientPassesAndIntegerInputsAreSkipped() {
        Tensor x = Tensor.of(new float[] {0.5f, -1f, 2f});
        Tensor idx = Tensor.ofInts(new int[] {2, 0}, 2);
        GradCheck.Result r = GradCheck.check(in -> in[0].square().indexSelect(0, in[1]), GradCheck.DEFAULT_EPS,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, x, idx);
        assertTrue(r.passed(), r.firstMismatch());
        assertNull(r.firstMismatch());
        assertTrue(r.maxAbsError() < 1e-2, "max error " + r.maxAbsError());
    }
}
