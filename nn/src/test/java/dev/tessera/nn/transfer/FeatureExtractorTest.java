package dev.tessera.nn.transfer;

import static dev.tessera.nn.transfer.TransferFixtures.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.Tanh;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.train.Trainer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cached features train the same head as training through the frozen backbone. */
class FeatureExtractorTest {

    /** A backbone with BatchNorm whose running statistics are not the defaults. */
    private static Sequential backbone() {
        Generator g = new Generator(11);
        Sequential b = new Sequential(new Linear(8, 16, true, g), new BatchNorm1d(16), new Tanh(), new Linear(16, 6, true, g));
        try (var ng = Tensor.noGrad()) {
            for (int i = 0; i < 3; i++) {
                b.forward(Tensor.randn(new Generator(100 + i), 20, 8).mul(2f).add(1f)); // training mode: updates running stats
            }
        }
        return b;
    }

    @Test
    void extractRunsInEvalModeWithoutGradAndRestoresTheMode() {
        Sequential b = backbone();
        Map<String, float[]> before = TransferFixtures.snapshot(b);
        TensorDataset data = TransferFixtures.data(37, 3, 1);
        TensorDataset features = FeatureExtractor.extract(b, data, 10);
        assertTrue(b.isTraining());
        assertArrayEquals(new int[] {37, 6}, features.features().shape());
        assertFalse(features.features().requiresGrad());
        assertArrayEquals(data.targets().toIntArray(), features.targets().toIntArray());
        Map<String, float[]> after = TransferFixtures.snapshot(b);
        before.forEach((k, v) -> assertBitIdentical(v, after.get(k), k)); // running stats untouched
        b.eval();
        try (var ng = Tensor.noGrad()) {
            float[] expected = b.forward(data.features()).toFloatArray();
            float[] actual = features.features().toFloatArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6f, "feature " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> FeatureExtractor.extract(b, data, 0));
    }

    @Test
    void cachedFeatureHeadEqualsHeadTrainedThroughFrozenBackbone() {
        TensorDataset data = TransferFixtures.data(60, 3, 4);
        int batch = 12;
        int epochs = 4;

        // (1) Through the frozen backbone: the trainer sets train mode each epoch; FrozenBatchNormEval puts the BN back in eval.
        Sequential b1 = backbone();
        b1.freeze();
        Linear head1 = new Linear(6, 3, true, new Generator(5));
        Sequential full = new Sequential(b1, head1);
        Trainer.builder(full, new SGD(FineTuning.trainableParameters(full), 0.2f, 0.9f), F::crossEntropy).epochs(epochs)
                .progress(false).callbacks(new FrozenBatchNormEval(full)).build()
                .fit(new DataLoader(data, batch, true, 99), null);

        // (2) On cached features: same initial head, same optimizer, same batches (same loader seed).
        Sequential b2 = backbone();
        TensorDataset cached = FeatureExtractor.extract(b2.freeze(), data, 64);
        Linear head2 = new Linear(6, 3, true, new Generator(5));
        Trainer.builder(head2, new SGD(head2.parameters(), 0.2f, 0.9f), F::crossEntropy).epochs(epochs).progress(false).build()
                .fit(new DataLoader(cached, batch, true, 99), null);

        float[] w1 = head1.weight().toFloatArray();
        float[] w2 = head2.weight().toFloatArray();
        float[] initial = new Linear(6, 3, true, new Generator(5)).weight().toFloatArray();
        assertFalse(Arrays.equals(initial, w1), "the head did not train");
        for (int i = 0; i < w1.length; i++) {
            assertEquals(w1[i], w2[i], 1e-5f, "head weight " + i);
        }
        float[] c1 = head1.bias().toFloatArray();
        float[] c2 = head2.bias().toFloatArray();
        for (int i = 0; i < c1.length; i++) {
            assertEquals(c1[i], c2[i], 1e-5f, "head bias " + i);
        }
        // The backbone did not move, not even its running statistics.
        Map<String, float[]> fresh = TransferFixtures.snapshot(backbone());
        Map<String, float[]> trained = TransferFixtures.snapshot(b1);
        fresh.forEach((k, v) -> assertBitIdentical(v, trained.get(k), k));
        // The composed model predicts what the cached head predicts.
        Module composed = new Sequential(b2, head2).eval();
        try (var ng = Tensor.noGrad()) {
            float[] a = composed.forward(data.features()).toFloatArray();
            float[] c = head2.forward(cached.features()).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], c[i], 1e-5f);
            }
        }
    }
}
