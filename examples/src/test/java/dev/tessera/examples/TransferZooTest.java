package dev.tessera.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Tensor;
import dev.tessera.examples.TransferZooExample.Approach;
import dev.tessera.examples.TransferZooExample.Row;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.models.MobileNet;
import dev.tessera.nn.selection.Fold;
import dev.tessera.nn.selection.StratifiedShuffleSplit;
import dev.tessera.nn.transfer.TransferReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The model-zoo transfer run: a tiny configuration end to end on the bundled digits (digits 0-4 as
 * the source task, 5-9 as the target; Fashion-MNIST is not needed), and its parts against hand values.
 */
class TransferZooTest {

    @Test
    void aTinyRunReportsTheSkippedHeadAndScoresTheThreeApproaches(@TempDir Path out) throws Exception {
        TensorDataset digits = TransferLearningExample.digits28(Integer.MAX_VALUE, 7);
        TensorDataset source = TransferCurve.classes(digits, 0, 5);
        TensorDataset target = TransferCurve.classes(digits, 5, 10);
        Fold split = new StratifiedShuffleSplit(1, 0.2, 7).split(target.labels()).get(0);
        TransferCurve.Data data = new TransferCurve.Data(source, source, subset(target, split.train()),
                subset(target, split.test()));
        int testSize = split.test().length;
        var config = new TransferZooExample.Config(0.25, 200, 1, 4, 1, 7);
        List<String> log = new ArrayList<>();

        TransferZooExample.Result result = TransferZooExample.run(config, data, out, log::add);

        // The saved file is a MobileNetV2 state dict with the source task's 5-class head.
        MobileNet reference = MobileNet.mobilenetV2(5, 0.25);
        Map<String, Tensor> saved = SafeTensors.load(out.resolve(TransferZooExample.weightsFile(config)));
        assertEquals(reference.stateDict().keySet(), saved.keySet());
        int features = reference.stateDict().get("classifier.1.weight").size(1);
        assertEquals(1280, features); // the width multiplier does not shrink the last layer below 1280
        assertArrayEquals(new int[] {5, features}, saved.get("classifier.1.weight").shape());

        // The report: everything but the old head loaded, the head named as skipped and left as initialised.
        TransferReport report = result.report();
        List<String> skipped = report.skipped().stream().map(TransferReport.Skip::modelKey).toList();
        assertEquals(List.of("classifier.1.weight", "classifier.1.bias"), skipped);
        assertTrue(report.skipped().stream().allMatch(s -> s.reason() == TransferReport.Reason.EXCLUDED), report.summary());
        assertEquals(reference.stateDict().size() - 2, report.loaded().size(), report.summary());
        assertTrue(report.summary().contains("classifier.1.weight: EXCLUDED"), report.summary());
        assertTrue(log.stream().anyMatch(l -> l.contains("classifier.1.weight: EXCLUDED")), String.join("\n", log));

        // One row per approach, in order, each a fraction of the test set.
        List<Row> rows = result.rows();
        assertEquals(List.of(Approach.values()), rows.stream().map(Row::approach).toList());
        for (Row r : rows) {
            assertTrue(r.accuracy() >= 0 && r.accuracy() <= 1, r.toString());
            double correct = r.accuracy() * testSize;
            assertEquals(Math.rint(correct), correct, 1e-6, r.toString());
            assertTrue(r.seconds() >= 0, r.toString());
        }
        long parameters = reference.parameterCount();
        assertEquals(parameters, result.parameters());
        assertEquals(parameters, rows.get(0).trainable());
        assertEquals(features * 5 + 5, rows.get(1).trainable()); // only the new linear head
        assertEquals(parameters, rows.get(2).trainable());
        assertTrue(result.sourceAccuracy() >= 0 && result.sourceAccuracy() <= 1);

        String table = TransferZooExample.table(rows);
        for (Approach a : Approach.values()) {
            assertTrue(table.contains("| " + a.title + " | "), table);
        }
    }

    private static TensorDataset subset(TensorDataset d, int[] idx) {
        var batch = d.get(idx);
        return new TensorDataset(batch.features(), batch.targets(), d.classNames());
    }

    @ParameterizedTest(name = "{0}x{1} image")
    @CsvSource({"28, 28", "2, 3", "8, 8", "32, 32", "1, 31"})
    void rgb32CentresTheImageInZerosAndRepeatsItOverThreeChannels(int h, int w) {
        float[] pixels = new float[2 * h * w];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = 1 + i % 97;
        }
        TensorDataset d = new TensorDataset(Tensor.of(pixels, 2, 1, h, w), Tensor.ofInts(new int[] {3, 1}, 2), List.of());

        TensorDataset rgb = TransferZooExample.rgb32(d, new int[] {1, 0, 1});

        assertArrayEquals(new int[] {3, 3, 32, 32}, rgb.features().shape());
        assertArrayEquals(new int[] {1, 3, 1}, rgb.labels());
        float[] got = rgb.features().toFloatArray();
        int top = (32 - h) / 2;
        int left = (32 - w) / 2;
        int[] source = {1, 0, 1};
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        boolean inside = y >= top && y < top + h && x >= left && x < left + w;
                        float expected = inside ? pixels[source[n] * h * w + (y - top) * w + (x - left)] : 0f;
                        assertEquals(expected, got[((n * 3 + c) * 32 + y) * 32 + x], 0f, "image " + n + " channel " + c
                                + " at " + y + "," + x);
                    }
                }
            }
        }
        assertArrayEquals(pixels, d.features().toFloatArray()); // not modified
    }

    @Test
    void rgb32RefusesImagesLargerThan32OrInColour() {
        TensorDataset big = new TensorDataset(Tensor.zeros(1, 1, 33, 8), Tensor.ofInts(new int[] {0}, 1), List.of());
        var e = assertThrows(IllegalArgumentException.class, () -> TransferZooExample.rgb32(big, null));
        assertTrue(e.getMessage().contains("[1, 1, 33, 8]"), e.getMessage());
        TensorDataset colour = new TensorDataset(Tensor.zeros(1, 3, 8, 8), Tensor.ofInts(new int[] {0}, 1), List.of());
        assertThrows(IllegalArgumentException.class, () -> TransferZooExample.rgb32(colour, null));
    }

    @ParameterizedTest(name = "{0} images in batches of {1}: {2} batches")
    @CsvSource({"64, 32, 2", "65, 32, 2", "66, 32, 3", "20, 32, 1", "1, 32, 0", "33, 32, 1", "10000, 64, 157"})
    void aLastBatchOfOneIsDroppedForBatchNorm(int images, int batch, int expected) {
        TensorDataset d = new TensorDataset(Tensor.zeros(images, 1), Tensor.ofInts(new int[images], images), List.of());
        assertEquals(expected, TransferZooExample.loader(d, batch, 1).numBatches());
    }

    @Test
    void theTableHasOneRowPerApproach() {
        String table = TransferZooExample.table(List.of(new Row(Approach.SCRATCH, 0.8123, 12.34, 20.0, 123_456),
                new Row(Approach.FROZEN_FEATURES, 0.5, 1.06, 1.5, 6405)));
        assertEquals("| approach | accuracy | train s | train CPU s | trained params |\n|---|---|---|---|---|\n"
                + "| from scratch | 0.8123 | 12.3 | 20.0 | 123,456 |\n"
                + "| frozen features + new linear head | 0.5000 | 1.1 | 1.5 | 6,405 |\n", table.replace("\r\n", "\n"));
    }

    @Test
    void theConfigurationNamesTheValueAtFault() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TransferZooExample.Config(0, 100, 1, 10, 1, 1));
        assertTrue(e.getMessage().contains("width 0.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TransferZooExample.Config(0.25, 100, 1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TransferZooExample.Config(0.25, 100, 0, 10, 1, 1));
    }
}
