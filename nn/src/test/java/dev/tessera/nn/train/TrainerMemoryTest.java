package dev.tessera.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Device;
import dev.tessera.SettledMemory;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm1d;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trainer runs each step and evaluation batch in a memory scope: memory stays flat over epochs. */
class TrainerMemoryTest {

    private static long settledLiveBuffers() {
        return SettledMemory.of(Device.cpu()).liveBuffers();
    }

    @Test
    void liveBuffersAreFlatOverEpochs() {
        Generator g = new Generator(21);
        Tensor x = Tensor.randn(g, 256, 8);
        int[] labels = new int[256];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 4;
        }
        TensorDataset data = new TensorDataset(x, Tensor.ofInts(labels));
        Sequential model = new Sequential(new Linear(8, 32, true, g), new BatchNorm1d(32), new ReLU(),
                new Linear(32, 4, true, g));
        List<Long> live = new ArrayList<>();
        Callback probe = new Callback() {
            @Override
            public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
                live.add(settledLiveBuffers());
            }
        };
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-2f), F::crossEntropy)
                .epochs(8).metrics(Metric.accuracy()).callbacks(probe).progress(false).build();
        History h = trainer.fit(new DataLoader(data, 16, true, 3), new DataLoader(data, 64, false, 0));
        assertEquals(8, h.size());
        assertTrue(h.get("loss")[7] < h.get("loss")[0], "it trains");
        assertEquals(live.get(1), live.get(7), "live buffers after epoch 2 and epoch 8: " + live);
    }
}
