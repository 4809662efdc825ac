package dev.tessera.nn.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm2d;
import dev.tessera.nn.Conv2d;
import dev.tessera.nn.Flatten;
import dev.tessera.nn.Linear;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.io.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real PyTorch export: {@code golden/tiny-bn.safetensors} is the state dict of {@code
 * nn.Sequential(Conv2d(3, 4, 3, 1, 1), BatchNorm2d(4), ReLU(), Flatten(), Linear(64, 3))} trained
 * three steps in PyTorch and saved as {@code safetensors.torch.save_file} lays it out (int64 {@code
 * num_batches_tracked} as {@code I64} first, {@code format: pt}); {@code tiny-bn-io.safetensors}
 * holds an input and PyTorch's eval-mode output. Written by {@code golden/golden_transformers.py}.
 */
class PyTorchExportTest {
    private static Sequential model(int classes) {
        return new Sequential(new Conv2d(3, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new Flatten(),
                new Linear(64, classes));
    }

    private static Path resource(String name) throws Exception {
        return Path.of(PyTorchExportTest.class.getResource("/golden/" + name).toURI());
    }

    @Test
    void int64CountersLoadAndTheModelGivesPyTorchsOutput() throws Exception {
        Path file = resource("tiny-bn.safetensors");
        assertEquals("I64", SafeTensors.dtypes(file).get("1.num_batches_tracked"));
        assertEquals("pt", SafeTensors.loadMetadata(file).get("format"));
        Map<String, Tensor> state = SafeTensors.load(file);
        Tensor counter = state.get("1.num_batches_tracked");
        assertEquals(DType.INT32, counter.dtype());
        assertEquals(0, counter.dim());
        assertEquals(3, counter.toIntArray()[0], "three training steps in PyTorch");

        Sequential net = model(3);
        net.loadStateDict(state);
        net.eval();
        Map<String, Tensor> io = SafeTensors.load(resource("tiny-bn-io.safetensors"));
        float[] expected = io.get("output").toFloatArray();
        float[] actual;
        try (var ng = Tensor.noGrad()) {
            actual = net.forward(io.get("input")).toFloatArray();
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "output " + i);
        }
    }

    @Test
    void pretrainedLoadReportsTheDtypeConversion() throws Exception {
        Sequential net = model(3);
        TransferReport r = Pretrained.load(net, resource("tiny-bn.safetensors"), LoadOptions.builder().strict(true).build());
        assertTrue(r.isComplete(), r.summary());
        assertEquals(9, r.loaded().size());
        assertEquals(List.of(new TransferReport.Conversion("1.num_batches_tracked", "I64", DType.INT32)), r.converted());
        assertEquals(List.of(), r.defaulted());
        assertTrue(r.summary().contains("1.num_batches_tracked: I64 -> INT32"), r.summary());
        assertEquals(3, net.stateDict().get("1.num_batches_tracked").toIntArray()[0]);
    }

    @Test
    void exportWithoutCountersLoadsStrictlyAndReportsTheDefault(@TempDir Path dir) throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>(SafeTensors.load(resource("tiny-bn.safetensors")));
        state.remove("1.num_batches_tracked");
        Path file = dir.resolve("no-counter.safetensors");
        SafeTensors.save(state, file);
        Sequential net = model(3);
        net.train();
        net.forward(Tensor.ones(2, 3, 4, 4));
        TransferReport r = Pretrained.load(net, file, LoadOptions.builder().strict(true).build());
        assertEquals(List.of("1.num_batches_tracked"), r.defaulted());
        assertEquals(List.of(), r.missing());
        assertEquals(List.of(), r.converted());
        assertEquals(0, net.stateDict().get("1.num_batches_tracked").toIntArray()[0]);

        // An excluded batch norm keeps its counter: its statistics did not come from the file.
        Sequential other = model(3);
        other.train();
        other.forward(Tensor.ones(2, 3, 4, 4));
        TransferReport ex = Pretrained.load(other, file, LoadOptions.builder().exclude("1.*").build());
        assertEquals(List.of(), ex.defaulted());
        assertTrue(ex.missing().contains("1.num_batches_tracked"), ex.summary());
        assertEquals(1, other.stateDict().get("1.num_batches_tracked").toIntArray()[0]);
    }

    @Test
    void newHeadMissingAndExtraKeysAreReported() throws Exception {
        Map<String, Tensor> state = new LinkedHashMap<>(SafeTensors.load(resource("tiny-bn.safetensors")));
        state.put("extra.weight", Tensor.zeros(2));
        state.remove("0.bias");
        Sequential net = model(5);
        TransferReport r = Pretrained.load(net, state, LoadOptions.defaults());
        assertEquals(List.of("extra.weight"), r.unexpected());
        assertEquals(List.of("0.bias", "4.weight", "4.bias"), r.missing());
        assertEquals(2, r.skipped(TransferReport.Reason.SHAPE_MISMATCH).size());
        TransferReport.Skip head = r.skipped().stream().filter(s -> s.modelKey().equals("4.weight")).findFirst().orElseThrow();
        assertArrayEquals(new int[] {3, 64}, head.sourceShape());
        assertArrayEquals(new int[] {5, 64}, head.modelShape());
        assertEquals(List.of(), r.converted(), "an in-memory INT32 counter needs no conversion");

        IllegalArgumentException strict = assertThrows(IllegalArgumentException.class,
                () -> Pretrained.load(model(5), state, LoadOptions.builder().strict(true).build()));
        assertTrue(strict.getMessage().contains("first: model key '0.bias' [4] has no value in the source"),
                strict.getMessage());
        state.put("0.bias", Tensor.zeros(4));
        IllegalArgumentException headError = assertThrows(IllegalArgumentException.class,
                () -> Pretrained.load(model(5), state, LoadOptions.builder().strict(true).build()));
        assertTrue(headError.getMessage().contains("first: model key '4.weight' skipped: checkpoint [3, 64], model [5, 64]"),
                headError.getMessage());
        assertTrue(headError.getMessage().contains("source keys the model does not have [extra.weight]"),
                headError.getMessage());
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> Pretrained.load(model(5), state, LoadOptions.builder().skipMismatchedShapes(false).build()));
        assertTrue(shapes.getMessage().contains("first: shapes differ for 4.weight: checkpoint [3, 64], model [5, 64]"),
                shapes.getMessage());
    }

    @Test
    void floatValuesIntoTheIntegerCounterAreConvertedAndReported() {
        Map<String, Tensor> state = new LinkedHashMap<>(model(3).stateDict());
        state.put("1.num_batches_tracked", Tensor.scalar(7f));
        Sequential net = model(3);
        TransferReport r = Pretrained.load(net, state, LoadOptions.defaults());
        assertEquals(List.of(new TransferReport.Conversion("1.num_batches_tracked", "FLOAT32", DType.INT32)), r.converted());
        assertEquals(7, net.stateDict().get("1.num_batches_tracked").toIntArray()[0]);
    }
}
