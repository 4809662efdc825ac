package dev.tessera.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bundled datasets load with the documented sizes, and the scalers fit on training data only. */
class DatasetsTest {

    static Stream<Arguments> bundled() {
        return Stream.of(
                Arguments.of("digits", (Supplier<TensorDataset>) Datasets::digits, 1797, 64, 10, new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}),
                Arguments.of("iris", (Supplier<TensorDataset>) Datasets::iris, 150, 4, 3, new int[] {50, 50, 50}),
                Arguments.of("wine", (Supplier<TensorDataset>) Datasets::wine, 178, 13, 3, new int[] {59, 71, 48}),
                Arguments.of("breastCancer", (Supplier<TensorDataset>) Datasets::breastCancer, 569, 30, 2, new int[] {212, 357}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundled")
    void bundledDatasetsHaveTheirDocumentedShape(String name, Supplier<TensorDataset> load, int n, int features, int classes,
            int[] classCounts) {
        TensorDataset d = load.get();
        assertEquals(n, d.size());
        assertEquals(features, d.numFeatures());
        assertEquals(classes, d.numClasses());
        int[] counts = new int[classes];
        for (int label : d.labels()) {
            counts[label]++;
        }
        assertArrayEquals(classCounts, counts, name + " class counts");
    }

    @Test
    void irisFirstRowMatchesTheFile() {
        TensorDataset iris = Datasets.iris();
        assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, iris.features().select(0, 0).toFloatArray());
        assertEquals(Arrays.asList("setosa", "versicolor", "virginica"), iris.classNames());
    }

    @Test
    void standardScalerUsesTrainingStatisticsOnly() {
        Tensor train = Tensor.of(new float[] {1, 10, 3, 10, 5, 10}, 3, 2); // column 2 constant
        StandardScaler s = StandardScaler.fit(train);
        float std = (float) Math.sqrt(8.0 / 3.0);
        assertArrayEquals(new float[] {-2 / std, 0, 0, 0, 2 / std, 0}, s.transform(train).toFloatArray(), 1e-6f);
        Tensor test = Tensor.of(new float[] {7, 12}, 1, 2);
        assertArrayEquals(new float[] {4 / std, 2}, s.transform(test).toFloatArray(), 1e-6f);
        MinMaxScaler m = MinMaxScaler.fit(train);
        assertArrayEquals(new float[] {0, 0, 0.5f, 0, 1, 0}, m.transform(train).toFloatArray(), 1e-6f);
    }

    @Test
    void missingFashionMnistSaysWhatToDo(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> Datasets.fashionMnist(dir, true));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("dataset-fashion-mnist"),
                e.getMessage());
    }
}
