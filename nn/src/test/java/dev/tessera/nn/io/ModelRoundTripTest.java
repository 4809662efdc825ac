package dev.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Linear;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's state dict saved as safetensors and loaded into a fresh instance gives bit-identical outputs. */
class ModelRoundTripTest {

    private static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(6, 8, true, g), new BatchNorm1d(8), new ReLU(), new Dropout(0.3),
                new Linear(8, 3, true, g));
    }

    @Test
    void savedStateDictRestoresBitIdenticalOutputs(@TempDir Path dir) throws Exception {
        Sequential trained = model(1);
        Tensor x = Tensor.randn(new Generator(2), 5, 6);
        trained.forward(x); // train mode: moves BatchNorm's running statistics away from their defaults
        trained.eval();
        Path file = dir.resolve("model.safetensors");
        SafeTensors.save(trained.stateDict(), file);

        Sequential fresh = model(99);
        Map<String, Tensor> loaded = SafeTensors.load(file);
        assertEquals(trained.stateDict().keySet(), loaded.keySet());
        fresh.loadStateDict(loaded);
        fresh.eval();
        float[] expected = trained.forward(x).toFloatArray();
        float[] actual = fresh.forward(x).toFloatArray();
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "output " + i);
        }
        assertArrayEquals(trained.stateDict().get("1.running_var").toFloatArray(), fresh.stateDict().get("1.running_var").toFloatArray());
    }
}
