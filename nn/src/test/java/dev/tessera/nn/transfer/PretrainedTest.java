package dev.tessera.nn.transfer;

import static dev.tessera.nn.transfer.TransferFixtures.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.models.ResNet;
import dev.tessera.nn.optim.SGD;
import dev.tessera.nn.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading pretrained weights: renaming, a head of another shape, PyTorch names, Trainer checkpoints. */
class PretrainedTest {
    @TempDir
    Path dir;

    @Test
    void headOfDifferentShapeIsSkippedAndReportedNotACrash() throws IOException {
        Sequential pretrained = TransferFixtures.mlp(10, 1);
        Path file = dir.resolve("pretrained.safetensors");
        Pretrained.save(pretrained, file);
        Sequential model = TransferFixtures.mlp(3, 2);
        Map<String, float[]> before = TransferFixtures.snapshot(model);

        TransferReport r = Pretrained.load(model, file, LoadOptions.defaults());

        assertEquals(List.of("5.weight", "5.bias"), r.missing());
        assertEquals(2, r.skipped(TransferReport.Reason.SHAPE_MISMATCH).size());
        TransferReport.Skip w = r.skipped().get(r.skipped().size() - 2);
        assertEquals("5.weight", w.modelKey());
        assertArrayEquals(new int[] {10, 12}, w.sourceShape());
        assertArrayEquals(new int[] {3, 12}, w.modelShape());
        assertTrue(r.summary().contains("5.weight: SHAPE_MISMATCH (checkpoint [10, 12], model [3, 12])"), r.summary());
        assertTrue(r.unexpected().isEmpty());
        assertEquals(9, r.loaded().size()); // 0.* (2), 1.* (2 parameters, 3 buffers), 3.* (2)
        Map<String, float[]> after = TransferFixtures.snapshot(model);
        Map<String, float[]> source = TransferFixtures.snapshot(pretrained);
        for (String k : r.loaded()) {
            assertBitIdentical(source.get(k), after.get(k), k);
        }
        assertBitIdentical(before.get("5.weight"), after.get("5.weight"), "the new head");
        assertBitIdentical(before.get("5.bias"), after.get("5.bias"), "the new head's bias");
    }

    @Test
    void mismatchedShapesCanBeRefusedAndNothingIsLoaded() {
        Sequential pretrained = TransferFixtures.mlp(10, 1);
        Sequential model = TransferFixtures.mlp(3, 2);
        Map<String, float[]> before = TransferFixtures.snapshot(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pretrained.load(model,
                pretrained.stateDict(), LoadOptions.builder().skipMismatchedShapes(false).build()));
        assertTrue(e.getMessage().contains("5.weight: checkpoint [10, 12], model [3, 12]"), e.getMessage());
        Map<String, float[]> after = TransferFixtures.snapshot(model);
        before.forEach((k, v) -> assertBitIdentical(v, after.get(k), k));
    }

    @Test
    void renamingMapWithExactNamesPrefixesRegexAndDrops() {
        Sequential pretrained = TransferFixtures.mlp(3, 1);
        // The same weights under other names: DataParallel's "module.", "features.N" for the body, "classifier" for the head.
        Map<String, Tensor> foreign = new LinkedHashMap<>();
        pretrained.stateDict().forEach((k, v) -> {
            String name = k.startsWith("5.") ? "classifier" + k.substring(1) : "features." + k;
            foreign.put("module." + name, v);
        });
        foreign.put("module.aux_logits.weight", Tensor.zeros(2, 2));
        KeyMap map = KeyMap.builder().stripPrefix("module.")
                .rename("classifier.weight", "5.weight").rename("module.classifier.bias", "5.bias")
                .replaceRegex("^features\\.(\\d+)\\.", "$1.")
                .drop("module.aux_logits")
                .build();
        assertNull(map.apply("module.aux_logits.weight"));
        assertEquals("3.bias", map.apply("module.features.3.bias"));
        Sequential model = TransferFixtures.mlp(3, 2);

        TransferReport r = Pretrained.load(model, foreign, LoadOptions.withKeyMap(map));

        // Rules apply in order: after stripPrefix, "module.classifier.bias" no longer exists, so that rename never fires.
        assertEquals(List.of("module.classifier.bias"), r.unexpected());
        assertEquals(List.of("5.bias"), r.missing());
        assertEquals("5.weight", r.renamed().get("module.classifier.weight"));
        assertEquals("0.weight", r.renamed().get("module.features.0.weight"));
        assertEquals(List.of(TransferReport.Reason.DROPPED), r.skipped().stream().map(TransferReport.Skip::reason).toList());
        Map<String, float[]> source = TransferFixtures.snapshot(pretrained);
        Map<String, float[]> after = TransferFixtures.snapshot(model);
        for (String k : r.loaded()) {
            assertBitIdentical(source.get(k), after.get(k), k);
        }
        // Strict mode names what is missing and unexpected, and loads nothing.
        Sequential fresh = TransferFixtures.mlp(3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pretrained.load(fresh, foreign,
                LoadOptions.builder().keyMap(map).strict(true).build()));
        assertTrue(e.getMessage().contains("[5.bias]") && e.getMessage().contains("[module.classifier.bias]"),
                e.getMessage());
    }

    @Test
    void excludedKeysKeepTheirValues() {
        Sequential pretrained = TransferFixtures.mlp(3, 1);
        Sequential model = TransferFixtures.mlp(3, 2);
        float[] head = model.get(5).parameters().get(0).toFloatArray();
        TransferReport r = Pretrained.load(model, pretrained.stateDict(), LoadOptions.builder().exclude("5").build());
        assertEquals(2, r.skipped(TransferReport.Reason.EXCLUDED).size());
        assertBitIdentical(head, model.get(5).parameters().get(0).toFloatArray(), "excluded head");
        assertBitIdentical(pretrained.get(0).parameters().get(0).toFloatArray(), model.get(0).parameters().get(0).toFloatArray(),
                "0.weight");
    }

    @Test
    void torchvisionResNet18StateDictLoadsIntoResNet18WithANewHead() throws IOException {
        Map<String, Tensor> torch = torchvisionResNet18Keys();
        Path file = dir.resolve("resnet18.safetensors");
        SafeTensors.save(torch, file);
        ResNet model = ResNet.resnet18(3);

        TransferReport r = Pretrained.load(model, file, LoadOptions.defaults());

        assertEquals(List.of("fc.weight", "fc.bias"), r.missing());
        assertEquals(List.of("fc.weight", "fc.bias"),
                r.skipped(TransferReport.Reason.SHAPE_MISMATCH).stream().map(TransferReport.Skip::modelKey).toList());
        assertTrue(r.unexpected().isEmpty(), r.unexpected().toString());
        assertEquals(torch.size() - 2, r.loaded().size());
        Map<String, Tensor> loaded = model.stateDict();
        for (String k : r.loaded()) {
            Tensor expected = torch.get(k);
            if (k.endsWith("num_batches_tracked")) {
                assertArrayEquals(expected.toIntArray(), loaded.get(k).toIntArray(), k);
            } else {
                assertBitIdentical(expected.toFloatArray(), loaded.get(k).toFloatArray(), k);
            }
        }
        Heads.replaceClassifier(model, "fc", 3, new Generator(1));
        assertEquals(512, Heads.inFeatures(model, "fc"));
    }

    @Test
    void trainerCheckpointLoadsItsModelTensors() throws IOException {
        Sequential trained = TransferFixtures.mlp(3, 1);
        Trainer.builder(trained, new SGD(trained.parameters(), 0.1f), F::crossEntropy).epochs(1).progress(false)
                .checkpointDir(dir.resolve("run")).build()
                .fit(new DataLoader(TransferFixtures.data(40, 3, 5), 8, true, 1), null);
        Sequential model = TransferFixtures.mlp(3, 2);
        TransferReport r = Pretrained.load(model, dir.resolve("run"), LoadOptions.builder().strict(true).build());
        assertTrue(r.isComplete(), r.summary());
        Map<String, float[]> a = TransferFixtures.snapshot(trained);
        Map<String, float[]> b = TransferFixtures.snapshot(model);
        a.forEach((k, v) -> assertBitIdentical(v, b.get(k), k));
    }

    @Test
    void missingFileNamesTheFile() {
        Path missing = dir.resolve("nope.safetensors");
        IOException e = assertThrows(IOException.class, () -> Pretrained.load(TransferFixtures.mlp(3, 1), missing,
                LoadOptions.defaults()));
        assertTrue(e.getMessage().contains("nope.safetensors"), e.getMessage());
    }

    /**
     * The keys and shapes of torchvision's {@code resnet18().state_dict()}, written out independently
     * of Tessera's ResNet, with random values (num_batches_tracked as a 0-d integer).
     */
    static Map<String, Tensor> torchvisionResNet18Keys() {
        Generator g = new Generator(42);
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("conv1.weight", Tensor.randn(g, 64, 3, 7, 7));
        bn(sd, "bn1", 64, g);
        int in = 64;
        int[] widths = {64, 128, 256, 512};
        for (int layer = 0; layer < 4; layer++) {
            int w = widths[layer];
            for (int block = 0; block < 2; block++) {
                String p = "layer" + (layer + 1) + "." + block + ".";
                sd.put(p + "conv1.weight", Tensor.randn(g, w, block == 0 ? in : w, 3, 3));
                bn(sd, p + "bn1", w, g);
                sd.put(p + "conv2.weight", Tensor.randn(g, w, w, 3, 3));
                bn(sd, p + "bn2", w, g);
                if (block == 0 && layer > 0) {
                    sd.put(p + "downsample.0.weight", Tensor.randn(g, w, in, 1, 1));
                    bn(sd, p + "downsample.1", w, g);
                }
            }
            in = w;
        }
        sd.put("fc.weight", Tensor.randn(g, 1000, 512));
        sd.put("fc.bias", Tensor.randn(g, 1000));
        return sd;
    }

    private static void bn(Map<String, Tensor> sd, String p, int c, Generator g) {
        sd.put(p + ".weight", Tensor.rand(g, c));
        sd.put(p + ".bias", Tensor.randn(g, c));
        sd.put(p + ".running_mean", Tensor.randn(g, c));
        sd.put(p + ".running_var", Tensor.rand(g, c).add(0.5f));
        sd.put(p + ".num_batches_tracked", Tensor.scalar(12345f).to(dev.tessera.DType.INT32));
    }
}
