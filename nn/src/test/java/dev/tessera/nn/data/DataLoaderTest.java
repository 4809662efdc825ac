package dev.tessera.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Batching, shuffling, drop-last, prefetch and lazy subsets. */
class DataLoaderTest {

    /** Ten examples whose feature is their own index, so a batch tells which examples it holds. */
    private static TensorDataset indexed(int n) {
        float[] x = new float[n * 2];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i % 3;
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.ofInts(y, n));
    }

    private static List<int[]> epoch(DataLoader loader) {
        List<int[]> batches = new ArrayList<>();
        for (Batch b : loader) {
            float[] f = b.features().select(1, 0).toFloatArray();
            int[] ids = new int[f.length];
            for (int i = 0; i < f.length; i++) {
                ids[i] = (int) f[i];
            }
            int[] labels = b.targets().toIntArray();
            for (int i = 0; i < ids.length; i++) {
                assertEquals(ids[i] % 3, labels[i], "targets travel with their features");
            }
            batches.add(ids);
        }
        return batches;
    }

    @ParameterizedTest
    @CsvSource({"10, 3, false, 4", "10, 3, true, 3", "9, 3, false, 3", "9, 3, true, 3", "2, 5, false, 1", "2, 5, true, 0"})
    void batchCountsAndSizes(int n, int batch, boolean dropLast, int expectedBatches) {
        DataLoader loader = new DataLoader(indexed(n), batch, false, 0, dropLast, false);
        assertEquals(expectedBatches, loader.numBatches());
        List<int[]> batches = epoch(loader);
        assertEquals(expectedBatches, batches.size());
        int seen = 0;
        for (int[] b : batches) {
            for (int id : b) {
                assertEquals(seen++, id, "without shuffling examples come in order");
            }
        }
    }

    @Test
    void shuffledEpochIsAPermutationThatChangesPerEpochAndRepeatsPerSeed() {
        DataLoader a = new DataLoader(indexed(50), 7, true, 42);
        int[] e0 = flatten(epoch(a));
        int[] e1 = flatten(epoch(a));
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        int[] expected = new int[50];
        Arrays.setAll(expected, i -> i);
        assertArrayEquals(expected, sorted, "every example exactly once");
        assertNotEquals(Arrays.toString(e0), Arrays.toString(e1), "a new order each epoch");

        DataLoader b = new DataLoader(indexed(50), 7, true, 42);
        b.setEpoch(1);
        assertArrayEquals(e1, flatten(epoch(b)), "epoch 1 is the same whether or not epoch 0 ran in this loader");
        DataLoader c = new DataLoader(indexed(50), 7, true, 43);
        assertNotEquals(Arrays.toString(e0), Arrays.toString(flatten(epoch(c))), "another seed, another order");
    }

    @Test
    void prefetchGivesTheSameBatches() {
        DataLoader plain = new DataLoader(indexed(23), 4, true, 5, false, false);
        DataLoader prefetching = new DataLoader(indexed(23), 4, true, 5, false, true);
        for (int e = 0; e < 3; e++) {
            assertArrayEquals(flatten(epoch(plain)), flatten(epoch(prefetching)));
        }
    }

    @Test
    void subsetsAreLazyViewsThatCompose() {
        TensorDataset data = indexed(10);
        Dataset sub = data.subset(new int[] {9, 7, 5, 3, 1});
        Dataset subsub = sub.subset(new int[] {4, 0});
        assertEquals(2, subsub.size());
        assertArrayEquals(new float[] {1, -1, 9, -9}, subsub.get(new int[] {0, 1}).features().toFloatArray());
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, sub.labels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.subset(new int[] {10}));
        assertEquals(true, e.getMessage().contains("10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sub.get(new int[] {5}));
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(indexed(3), 0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.ofInts(new int[] {1, 2})));
    }

    private static int[] flatten(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }
}
