package dev.tessera.nn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

/** Metrics against values worked out by hand (the same numbers scikit-learn gives for these inputs). */
class MetricsTest {
    private static final Tensor TRUTH = Tensor.ofInts(new int[] {0, 0, 1, 1, 2, 2, 2});
    private static final Tensor PRED = Tensor.ofInts(new int[] {0, 1, 1, 1, 2, 0, 2});

    @Test
    void accuracyFromClassesAndFromScores() {
        assertEquals(5 / 7.0, Metrics.accuracy(PRED, TRUTH), 1e-12);
        Tensor scores = Tensor.of(new float[] {0.9f, 0.1f, 0.2f, 0.8f, 0.3f, 0.7f}, 3, 2);
        assertEquals(2 / 3.0, Metrics.accuracy(scores, Tensor.ofInts(new int[] {0, 0, 1})), 1e-12);
    }

    @Test
    void topKCountsTargetsAmongTheBestK() {
        Tensor scores = Tensor.of(new float[] {0.5f, 0.3f, 0.2f, 0.1f, 0.2f, 0.7f, 0.6f, 0.3f, 0.1f}, 3, 3);
        Tensor t = Tensor.ofInts(new int[] {2, 1, 2});
        assertEquals(0, Metrics.topKAccuracy(scores, t, 1), 1e-12);
        assertEquals(1 / 3.0, Metrics.topKAccuracy(scores, t, 2), 1e-12);
        assertEquals(1, Metrics.topKAccuracy(scores, t, 3), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Metrics.topKAccuracy(scores, t, 4));
    }

    @Test
    void confusionMatrixPrecisionRecallF1() {
        ConfusionMatrix m = Metrics.confusionMatrix(PRED, TRUTH, 3);
        assertEquals(1, m.count(0, 0));
        assertEquals(1, m.count(0, 1));
        assertEquals(1, m.count(2, 0));
        // class 0: tp 1, predicted 2, actual 2; class 1: tp 2, predicted 3, actual 2; class 2: tp 2, predicted 2, actual 3
        assertEquals(0.5, m.precision(0), 1e-12);
        assertEquals(2 / 3.0, m.precision(1), 1e-12);
        assertEquals(1.0, m.precision(2), 1e-12);
        assertEquals(0.5, m.recall(0), 1e-12);
        assertEquals(1.0, m.recall(1), 1e-12);
        assertEquals(2 / 3.0, m.recall(2), 1e-12);
        assertEquals(0.8, m.f1(1), 1e-12);
        assertEquals((0.5 + 0.8 + 0.8) / 3, m.macroF1(), 1e-12);
        assertEquals((0.5 + 2 / 3.0 + 1) / 3, m.macroPrecision(), 1e-12);
        assertEquals(5 / 7.0, m.accuracy(), 1e-12);
    }

    @Test
    void regressionMetrics() {
        Tensor y = Tensor.of(new float[] {3, -0.5f, 2, 7});
        Tensor p = Tensor.of(new float[] {2.5f, 0, 2, 8});
        assertEquals(0.375, Metrics.mse(p, y), 1e-7);
        assertEquals(0.5, Metrics.mae(p, y), 1e-7);
        assertEquals(0.9486081370449679, Metrics.r2(p, y), 1e-6);
    }

    @Test
    void rocAucWithTies() {
        Tensor scores = Tensor.of(new float[] {0.1f, 0.4f, 0.35f, 0.8f});
        Tensor t = Tensor.ofInts(new int[] {0, 0, 1, 1});
        assertEquals(0.75, Metrics.rocAuc(scores, t), 1e-12);
        Tensor tied = Tensor.of(new float[] {0.5f, 0.5f, 0.5f, 0.9f});
        assertEquals((0.5 + 1) / 2, Metrics.rocAuc(tied, Tensor.ofInts(new int[] {0, 1, 0, 1})), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Metrics.rocAuc(scores, Tensor.ofInts(new int[] {1, 1, 1, 1})));
    }

    @Test
    void streamingMetricsDoNotDependOnBatching() {
        Metric acc = Metric.accuracy();
        acc.update(PRED.slice(0, 0, 3), TRUTH.slice(0, 0, 3));
        acc.update(PRED.slice(0, 3, 7), TRUTH.slice(0, 3, 7));
        assertEquals(5 / 7.0, acc.compute(), 1e-12);
        Metric f1 = Metric.macroF1(3);
        f1.update(PRED.slice(0, 0, 2), TRUTH.slice(0, 0, 2));
        f1.update(PRED.slice(0, 2, 7), TRUTH.slice(0, 2, 7));
        assertEquals((0.5 + 0.8 + 0.8) / 3, f1.compute(), 1e-12);
        acc.reset();
        assertEquals(0, acc.compute());
    }
}
