package dev.tessera.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReduceLROnPlateauTest {
    private static SGD sgd(float lr) {
        return new SGD(List.of(Tensor.zeros(2).requiresGrad(true)), lr);
    }

    private static float[] run(ReduceLROnPlateau s, float... metrics) {
        float[] lrs = new float[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            s.step(metrics[i]);
            lrs[i] = s.lastLr();
        }
        return lrs;
    }

    @Test
    void reducesAfterPatienceIsExceededThenCoolsDown() {
        // patience 2, cooldown 1, factor 0.5, min mode, relative threshold 0.1:
        // 10 best; 9.5 is not below 10 * 0.9 (bad 1); 9.2 bad 2; 9.1 bad 3 > 2 -> lr 0.5 and cooldown 1;
        // 9.0 bad 1, cleared by the cooldown; 8.9 < 9 is the new best; 8.95, 9, 9 bad 1, 2, 3 -> 0.25; 5 is better.
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.5f, 2, 0.1f, 1, 0f);
        float[] lrs = run(s, 10f, 9.5f, 9.2f, 9.1f, 9.0f, 8.9f, 8.95f, 9f, 9f, 5f);
        assertArrayEquals(new float[] {1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.25f, 0.25f}, lrs);
        assertEquals(5.0, s.best(), 1e-7);
        assertEquals(0, s.numBadEpochs());
        assertEquals(10, s.lastEpoch());
    }

    @Test
    void maxModeWithAbsoluteThresholdAndMinLr() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(0.1f), ReduceLROnPlateau.Mode.MAX, 0.1f, 0, 0.05f,
                ReduceLROnPlateau.ThresholdMode.ABS, 0, 0.005f, 1e-8f);
        // 0.5 best; 0.54 not > 0.55 -> reduce to 0.01; 0.6 better; 0.6 not better -> max(0.001, 0.005) = 0.005; then stays.
        float[] lrs = run(s, 0.5f, 0.54f, 0.6f, 0.6f, 0.1f);
        assertArrayEquals(new float[] {0.1f, 0.01f, 0.01f, 0.005f, 0.005f}, lrs, 1e-9f);
    }

    @Test
    void defaultsArePyTorchsAndReduceEveryGroup() {
        Tensor a = Tensor.zeros(1).requiresGrad(true);
        Tensor b = Tensor.zeros(1).requiresGrad(true);
        SGD opt = new SGD(List.of(new ParamGroup(List.of(a), 1f), new ParamGroup(List.of(b), 0.1f)), new SGD.Options());
        ReduceLROnPlateau s = new ReduceLROnPlateau(opt);
        float[] metrics = new float[12];
        java.util.Arrays.fill(metrics, 1f);
        run(s, metrics); // 1 best, then 11 bad epochs: more than patience 10 at the 12th
        assertArrayEquals(new float[] {0.1f, 0.01f}, s.lastLrs(), 1e-8f);
    }

    @Test
    void nanIsNeverAnImprovement() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.5f, 0, 0f, 0, 0f);
        assertArrayEquals(new float[] {0.5f, 0.25f}, run(s, Float.NaN, Float.NaN));
    }

    @Test
    void stateRestoresProgress() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.5f, 2, 0f, 0, 0f);
        run(s, 3f, 4f, 4f);
        Map<String, Double> state = s.stateDict();
        ReduceLROnPlateau resumed = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.5f, 2, 0f, 0, 0f);
        resumed.loadStateDict(state);
        assertEquals(2, resumed.numBadEpochs());
        assertArrayEquals(new float[] {0.5f}, run(resumed, 4f), "the third bad epoch reduces");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resumed.loadStateDict(Map.of("best", 1.0)));
        assertEquals("ReduceLROnPlateau: state has no 'num_bad_epochs'", e.getMessage());
    }

    @Test
    void validatesArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 1f, 2, 0f, 0, 0f));
        assertEquals("ReduceLROnPlateau: factor must be in [0, 1), got 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.1f, -1, 0f, 0, 0f));
        assertEquals("ReduceLROnPlateau: patience must be >= 0, got -1", e.getMessage());
    }

    @Test
    void minModeWithAbsoluteThreshold() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.5f, 0, 0.5f,
                ReduceLROnPlateau.ThresholdMode.ABS, 0, 0f, 1e-8f);
        // 10 best; 9.5 is not below 10 - 0.5 -> 0.5; 9.4 is -> best; 8.9 is not below 8.9 -> 0.25; 8.8 is.
        assertArrayEquals(new float[] {1f, 0.5f, 0.5f, 0.25f, 0.25f}, run(s, 10f, 9.5f, 9.4f, 8.9f, 8.8f));
        assertEquals(8.8, s.best(), 1e-6);
    }

    @Test
    void maxModeWithRelativeThreshold() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MAX, 0.5f, 0, 0.5f, 0, 0f);
        // 2 best; 3 is not above 2 * 1.5 -> 0.5; 3.5 is -> best; 5.25 is not above 3.5 * 1.5 -> 0.25; 6 is.
        assertArrayEquals(new float[] {1f, 0.5f, 0.5f, 0.25f, 0.25f}, run(s, 2f, 3f, 3.5f, 5.25f, 6f));
        assertEquals(6.0, s.best());
    }

    @Test
    void minModeWithRelativeThresholdNeedsMoreThanTheThreshold() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MIN, 0.5f, 0, 0.5f, 0, 0f);
        // 4 best; 2 is not below 4 * 0.5 -> 0.5; 1.5 is.
        assertArrayEquals(new float[] {1f, 0.5f, 0.5f}, run(s, 4f, 2f, 1.5f));
        assertEquals(1.5, s.best());
    }

    @Test
    void aReductionSmallerThanEpsIsSkipped() {
        // factor 0.95 would take 0.01 to 0.0095: a change of 5e-4, below eps 1e-3, so the rate stays.
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(0.01f), ReduceLROnPlateau.Mode.MIN, 0.95f, 0, 0f,
                ReduceLROnPlateau.ThresholdMode.REL, 0, 0f, 1e-3f);
        assertArrayEquals(new float[] {0.01f, 0.01f}, run(s, 1f, 1f));
        ReduceLROnPlateau big = new ReduceLROnPlateau(sgd(0.01f), ReduceLROnPlateau.Mode.MIN, 0.5f, 0, 0f,
                ReduceLROnPlateau.ThresholdMode.REL, 0, 0f, 1e-3f);
        assertArrayEquals(new float[] {0.01f, 0.005f}, run(big, 1f, 1f));
    }

    @Test
    void maxModeWithAbsoluteThresholdNeedsMoreThanTheThreshold() {
        ReduceLROnPlateau s = new ReduceLROnPlateau(sgd(1f), ReduceLROnPlateau.Mode.MAX, 0.5f, 0, 0.25f,
                ReduceLROnPlateau.ThresholdMode.ABS, 0, 0f, 1e-8f);
        // 0.5 best; 0.75 is not above 0.5 + 0.25 -> 0.5; 1 is.
        assertArrayEquals(new float[] {1f, 0.5f, 0.5f}, run(s, 0.5f, 0.75f, 1f));
        assertEquals(1.0, s.best());
    }
}
