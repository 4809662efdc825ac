package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.examples.TransferCurve.Point;
import dev.tessera.examples.TransferCurve.Run;
import dev.tessera.examples.TransferTraining.Approach;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.selection.Fold;
import dev.tessera.nn.selection.StratifiedShuffleSplit;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The transfer-learning curve: a tiny run end to end on the bundled digits, and its parts against hand values. */
class TransferCurveTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true"); // the runner draws charts
    }

    @Test
    void aTinyRunWritesOneCsvRowPerApproachSizeAndSeedAndTwoCharts(@TempDir Path out) throws Exception {
        // Digits 0-4 are the source task, digits 5-9 the target (an 80/20 stratified split).
        TensorDataset digits = TransferLearningExample.digits28(Integer.MAX_VALUE, 7);
        TensorDataset source = TransferCurve.classes(digits, 0, 5);
        TensorDataset target = TransferCurve.classes(digits, 5, 10);
        Fold split = new StratifiedShuffleSplit(1, 0.2, 7).split(target.labels()).get(0);
        TransferCurve.Data data = new TransferCurve.Data(source, source, subset(target, split.train()),
                subset(target, split.test()));
        int testSize = split.test().length;
        var config = new TransferCurve.Config(new int[] {2, 4}, 2, 7, 1, 0, 1, new double[] {0.5});

        TransferCurve.Result result = TransferCurve.run(config, data, out, "tiny", line -> { });

        List<String> lines = Files.readAllLines(out.resolve("learning-curve.csv"));
        assertEquals("approach,per_class,seed,train_images,epochs,accuracy,train_seconds,train_cpu_seconds", lines.get(0));
        assertEquals(1 + 5 * 2 * 2, lines.size(), "header + one row per approach x size x seed");
        Set<String> titles = new HashSet<>();
        for (Approach a : Approach.values()) {
            titles.add(a.title);
        }
        Set<String> seen = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertEquals(8, f.length, line);
            String approach = f[0].replace("\"", "");
            assertTrue(titles.contains(approach), line);
            int perClass = Integer.parseInt(f[1]);
            int seed = Integer.parseInt(f[2]);
            assertTrue(perClass == 2 || perClass == 4, line);
            assertTrue(seed == 0 || seed == 1, line);
            assertEquals(5 * perClass, Integer.parseInt(f[3]), line);
            assertEquals(1, Integer.parseInt(f[4]), line);
            double accuracy = Double.parseDouble(f[5]);
            assertTrue(accuracy >= 0 && accuracy <= 1, line);
            double correct = accuracy * testSize; // a fraction of the test set
            assertEquals(Math.rint(correct), correct, 1e-3, line);
            assertTrue(Double.parseDouble(f[6]) >= 0 && Double.parseDouble(f[7]) >= 0, line);
            assertTrue(seen.add(approach + "/" + perClass + "/" + seed), "twice: " + line);
        }
        assertEquals(20, result.runs().size());
        assertTrue(result.sourceAccuracy() >= 0 && result.sourceAccuracy() <= 1);

        for (String png : new String[] {"learning-curve.png", "time-to-accuracy.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(image, png + " does not decode");
            assertEquals(900, image.getWidth(), png);
            assertEquals(560, image.getHeight(), png);
        }
        assertTrue(Files.size(out.resolve("pretrained.safetensors")) > 0);
    }

    private static TensorDataset subset(TensorDataset d, int[] idx) {
        var batch = d.get(idx);
        return new TensorDataset(batch.features(), batch.targets(), d.classNames());
    }

    @ParameterizedTest(name = "{0} per class")
    @ValueSource(ints = {1, 3, 5})
    void theSubsetHoldsNImagesPerClassAndGrowsByNesting(int n) {
        int[] labels = {2, 0, 1, 1, 2, 0, 0, 2, 1, 0, 1, 2, 2, 0, 1, 1, 0, 2}; // six of each class
        int[] picked = TransferCurve.perClassSubset(labels, 3, n, 11);
        int[] perClass = new int[3];
        for (int i : picked) {
            perClass[labels[i]]++;
        }
        assertArrayEquals(new int[] {n, n, n}, perClass);
        assertEquals(picked.length, Arrays.stream(picked).distinct().count());
        int[] larger = TransferCurve.perClassSubset(labels, 3, 6, 11);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(larger).forEach(all::add);
        Arrays.stream(picked).forEach(i -> assertTrue(all.contains(i), "not nested: " + i));
        int[] bigger = TransferCurve.perClassSubset(labels, 3, Math.min(n + 1, 6), 11);
        Set<Integer> next = new HashSet<>();
        Arrays.stream(bigger).forEach(next::add);
        Arrays.stream(picked).forEach(i -> assertTrue(next.contains(i), "not nested in n + 1: " + i));
    }

    @Test
    void otherSeedsPickOtherImagesAndTooFewImagesAreNamed() {
        int[] labels = new int[200];
        Arrays.setAll(labels, i -> i % 2);
        assertFalse(Arrays.equals(TransferCurve.perClassSubset(labels, 2, 10, 1), TransferCurve.perClassSubset(labels, 2, 10, 2)));
        var e = assertThrows(IllegalArgumentException.class, () -> TransferCurve.perClassSubset(new int[] {0, 0, 1}, 2, 2, 1));
        assertTrue(e.getMessage().contains("class 1 has 1"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} images, at least {1} epochs and {2} steps: {3} epochs")
    @CsvSource({"50, 4, 150, 75", "150, 4, 150, 30", "500, 4, 150, 10", "1500, 4, 150, 4", "5000, 4, 150, 4", "33, 1, 0, 1",
        "32, 1, 5, 5"})
    void smallSetsGetEnoughEpochsForTheMinimumSteps(int images, int epochs, int minSteps, int expected) {
        assertEquals(expected, TransferCurve.epochsFor(images, epochs, minSteps));
    }

    @Test
    void classesKeepsARangeOfLabelsAndRenumbersThem() {
        float[] x = {0, 1, 2, 3, 4, 5};
        TensorDataset d = new TensorDataset(Tensor.of(x, 6, 1), Tensor.ofInts(new int[] {3, 0, 5, 7, 5, 9}, 6),
                List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"));
        TensorDataset kept = TransferCurve.classes(d, 5, 10);
        assertArrayEquals(new float[] {2, 3, 4, 5}, kept.features().toFloatArray());
        assertArrayEquals(new int[] {0, 2, 0, 4}, kept.labels());
        assertEquals(List.of("c5", "c6", "c7", "c8", "c9"), kept.classNames());
        assertThrows(IllegalArgumentException.class, () -> TransferCurve.classes(d, 10, 12));
    }

    @Test
    void pointsSummariseTheSeedsAndTheTargetIsReachedWithTheFewestImagesThatDo() {
        List<Run> runs = List.of(
                new Run(Approach.SCRATCH, 10, 0, 50, 75, 0.80, 2.0, 3.0), new Run(Approach.SCRATCH, 10, 1, 50, 75, 0.90, 4.0, 5.0),
                new Run(Approach.SCRATCH, 30, 0, 150, 30, 0.92, 5.0, 8.0), new Run(Approach.SCRATCH, 30, 1, 150, 30, 0.94, 7.0, 4.0),
                new Run(Approach.FULL, 10, 0, 50, 75, 0.91, 1.0, 1.5), new Run(Approach.FULL, 10, 1, 50, 75, 0.93, 3.0, 3.5),
                new Run(Approach.FULL, 30, 0, 150, 30, 0.95, 0.5, 0.5), new Run(Approach.FULL, 30, 1, 150, 30, 0.97, 0.5, 0.5));
        List<Point> points = TransferCurve.points(runs);
        assertEquals(4, points.size());
        Point first = points.get(0);
        assertEquals(Approach.SCRATCH, first.approach());
        assertEquals(10, first.perClass());
        assertEquals(0.85, first.mean(), 1e-12);
        assertEquals(0.80, first.min(), 1e-12);
        assertEquals(0.90, first.max(), 1e-12);
        assertEquals(3.0, first.seconds(), 1e-12);
        assertEquals(4.0, first.cpuSeconds(), 1e-12);

        List<Optional<Point>> best = TransferCurve.timeToTarget(points, 0.915);
        assertEquals(30, best.get(Approach.SCRATCH.ordinal()).orElseThrow().perClass()); // 10 per class: mean 0.85
        assertEquals(10, best.get(Approach.FULL.ordinal()).orElseThrow().perClass());   // fewer images, though slower
        assertTrue(best.get(Approach.PARTIAL.ordinal()).isEmpty());
        assertTrue(TransferCurve.timeToTarget(points, 0.99).stream().allMatch(Optional::isEmpty));
        String table = TransferCurve.timeToTargetTable(points, new double[] {0.915, 0.99});
        assertTrue(table.contains("| (a) from scratch | 30, 6.0 s | not reached |"), table);
        assertTrue(table.contains("| (d) full fine-tuning | 10, 2.5 s | not reached |"), table);
        assertTrue(TransferCurve.accuracyTable(points).contains("| (d) full fine-tuning | 0.920 (0.91-0.93) | 0.960 (0.95-0.97) |"),
                TransferCurve.accuracyTable(points));
    }

    @Test
    void sizesMustIncreaseAndTargetsBeAccuracies() {
        assertThrows(IllegalArgumentException.class, () -> new TransferCurve.Config(new int[] {30, 10}, 1, 1, 1, 0, 1,
                new double[] {0.9}));
        assertThrows(IllegalArgumentException.class, () -> new TransferCurve.Config(new int[] {10}, 1, 1, 1, 0, 1,
                new double[] {1.5}));
        assertThrows(IllegalArgumentException.class, () -> new TransferCurve.Config(new int[] {10}, 0, 1, 1, 0, 1,
                new double[] {0.9}));
    }
}
