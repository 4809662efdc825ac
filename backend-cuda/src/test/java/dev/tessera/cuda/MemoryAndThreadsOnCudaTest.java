package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.MemoryScope;
import dev.tessera.MemoryStats;
import dev.tessera.SettledMemory;
import dev.tessera.Tensor;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.models.LeNet;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.train.Callback;
import dev.tessera.nn.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Device memory and threads on CUDA: training through the Trainer with no {@code close()} in
 * user code keeps memory flat, a MemoryScope frees what it should and keeps what it was told to,
 * and a model in eval mode serves several threads at once.
 */
class MemoryAndThreadsOnCudaTest {
    /**
     * Training steps of the memory test: {@value #DEFAULT_STEPS} by default (a few seconds on a GPU);
     * {@code -Dtessera.test.memorySteps=10000} runs the 10,000.
     */
    private static final int DEFAULT_STEPS = 1000;


    @Test
    void trainingThroughTheTrainerKeepsDeviceMemoryFlat() {
        CudaTestDevice.backend();
        Device d = CudaTestDevice.device();
        int steps = Integer.getInteger("tessera.test.memorySteps", DEFAULT_STEPS);
        Generator g = new Generator(17);
        Tensor x = Tensor.randn(g, 512, 20);
        int[] labels = new int[512];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 4;
        }
        TensorDataset data = new TensorDataset(x, Tensor.ofInts(labels));
        Module model = new Sequential(new Linear(20, 32, true, g), new ReLU(), new Dropout(0.1, g),
                new Linear(32, 4, true, g)).to(d);
        int batchesPerEpoch = 512 / 32;
        MemoryStats[] at = new MemoryStats[2];
        int[] global = {0};
        Callback probe = new Callback() {
            @Override
            public void onBatchEnd(Trainer trainer, int epoch, int batch, double loss, int batchSize) {
                global[0]++;
                // Garbage of earlier tests is freed by the cleaner whenever the collector runs:
                // let it settle, so that what remains is what the training holds.
                if (global[0] == 100) {
                    at[0] = SettledMemory.of(d);
                } else if (global[0] == steps) {
                    at[1] = SettledMemory.of(d);
                }
            }
        };
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-3f), F::crossEntropy)
                .epochs((steps + batchesPerEpoch - 1) / batchesPerEpoch).callbacks(probe).progress(false).build();
        trainer.fit(new DataLoader(data, 32, true, 5), null);
        assertTrue(global[0] >= steps, "ran " + global[0] + " steps");
        assertEquals(at[0].bytesInUse(), at[1].bytesInUse(), "bytes in use at step 100 and step " + steps + ": " + at[0]
                + " then " + at[1]);
        assertEquals(at[0].liveBuffers(), at[1].liveBuffers(), "live buffers at step 100 and step " + steps);
    }

    @Test
    void aMemoryScopeFreesWhatItShouldAndKeepsWhatItWasToldTo() {
        CudaTestDevice.backend();
        Device d = CudaTestDevice.device();
        Generator g = new Generator(4);
        MemoryStats before = SettledMemory.of(d);
        Tensor kept;
        Tensor dropped;
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor a = Tensor.randn(g, d, 64, 50);
            Tensor b = a.mul(2f).add(1f).relu();
            dropped = b.exp();
            kept = scope.keep(b.sum(0, false));
            MemoryStats during = d.memoryStats();
            assertTrue(during.liveBuffers() >= before.liveBuffers() + 5, "inside the scope: " + during + ", before " + before);
        }
        MemoryStats after = d.memoryStats();
        assertEquals(before.liveBuffers() + 1, after.liveBuffers(), "only the kept tensor outlives the scope: " + after
                + ", before " + before);
        assertEquals(before.bytesInUse() + 50L * Float.BYTES, after.bytesInUse(), "bytes of the kept [50] tensor");
        assertEquals(50, kept.toFloatArray().length);
        IllegalStateException e = assertThrows(IllegalStateException.class, dropped::toFloatArray);
        assertTrue(e.getMessage().contains("released by a MemoryScope"), e.getMessage());
        kept = null;
        assertEquals(before.liveBuffers(), SettledMemory.of(d).liveBuffers(), "the kept tensor is freed once unreachable");
    }

    @Test
    void aModelInEvalModeServesFourThreadsAsItServesOne() throws Exception {
        CudaTestDevice.backend();
        Device d = CudaTestDevice.device();
        Module model = new LeNet(10).to(d);
        model.eval();
        int requests = 8;
        Generator g = new Generator(12);
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> alone = new ArrayList<>();
        try (var ng = Tensor.noGrad()) {
            for (int i = 0; i < requests; i++) {
                Tensor in = Tensor.randn(g, d, 1 + i % 3, 1, 28, 28);
                inputs.add(in);
                alone.add(model.forward(in).toFloatArray());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < requests; i++) {
                    Tensor in = inputs.get(i);
                    results.add(pool.submit(() -> {
                        try (var ng = Tensor.noGrad()) {
                            return model.forward(in).toFloatArray();
                        }
                    }));
                }
            }
            for (int k = 0; k < results.size(); k++) {
                assertArrayEquals(alone.get(k % requests), results.get(k).get(), "request " + (k % requests) + ", round "
                        + k / requests);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
