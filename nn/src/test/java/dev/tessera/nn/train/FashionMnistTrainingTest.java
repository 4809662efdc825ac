package dev.tessera.nn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.Generator;
import dev.tessera.nn.F;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.Datasets;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Adam;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Trains briefly on the real Fashion-MNIST installed by Debian's {@code dataset-fashion-mnist}
 * (CI installs it; elsewhere the test is skipped).
 */
class FashionMnistTrainingTest {

    @Test
    void oneShortEpochOnRealFashionMnist() throws Exception {
        assumeTrue(Files.isDirectory(Datasets.FASHION_MNIST_DEFAULT_DIR), "dataset-fashion-mnist is not installed");
        TensorDataset train = Datasets.fashionMnist(true);
        TensorDataset test = Datasets.fashionMnist(false);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, Arrays.copyOfRange(train.features().shape(), 1, 4));

        int[] perm = new Generator(1).permutation(train.size());
        Dataset subset = train.subset(Arrays.copyOf(perm, 12_000));
        Generator g = new Generator(2);
        Sequential model = new Sequential(new Flatten(), new Linear(784, 128, true, g), new ReLU(), new Linear(128, 10, true, g));
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 2e-3f), F::crossEntropy)
                .epochs(2).metrics(Metric.accuracy()).progress(false).build();
        trainer.fit(new DataLoader(subset, 64, true, 3), null);
        double accuracy = trainer.evaluate(new DataLoader(test, 1000, false, 0)).get("accuracy");
        assertTrue(accuracy > 0.80, "test accuracy after two short epochs: " + accuracy);
    }
}
