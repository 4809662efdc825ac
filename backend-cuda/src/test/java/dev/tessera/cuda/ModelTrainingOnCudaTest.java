package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.TransformerActivation;
import dev.tessera.nn.TransformerEncoderLayer;
import dev.tessera.nn.models.LeNet;
import dev.tessera.nn.models.ResNet;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Models train on CUDA as on the CPU: the same weights (the CPU model's state dict), the same
 * batches, 20 optimizer steps each; the losses agree to {@link #REL} relative at every step (cuBLAS and
 * the GPU's kernels sum in other orders than the CPU; no TF32).
 */
class ModelTrainingOnCudaTest {
    private static final int STEPS = 20;
    /** Relative tolerance of a loss on CUDA against the CPU's. */
    private static final double REL = 1e-3;

    /**
     * Trains {@code make.apply(seed)} on the CPU and a copy of it on CUDA for {@link #STEPS}
     * steps on the same batch and returns the losses: row 0 the CPU's, row 1 CUDA's.
     */
    private static float[][] trainBoth(Function<Long, Module> make, Function<Module, Optimizer> optimizer, Tensor x,
                                       Tensor y, BiFunction<Tensor, Tensor, Tensor> loss) {
        Device cuda = CudaTestDevice.device();
        Module cpu = make.apply(7L);
        Module gpu = make.apply(8L); // other initial values, replaced by the CPU model's
        gpu.loadStateDict(cpu.stateDict());
        gpu.to(cuda);
        Tensor xg = x.to(cuda);
        Tensor yg = y.to(cuda);
        float[][] losses = new float[2][STEPS];
        Module[] models = {cpu, gpu};
        Tensor[][] data = {{x, y}, {xg, yg}};
        for (int side = 0; side < 2; side++) {
            Module m = models[side];
            m.train();
            Optimizer opt = optimizer.apply(m);
            for (int step = 0; step < STEPS; step++) {
                opt.zeroGrad();
                Tensor l = loss.apply(m.forward(data[side][0]), data[side][1]);
                l.backward();
                opt.step();
                losses[side][step] = l.item();
            }
        }
        return losses;
    }

    private static void assertSameLosses(float[][] losses, double rel, String what) {
        for (int step = 0; step < STEPS; step++) {
            float c = losses[0][step];
            float g = losses[1][step];
            assertTrue(Math.abs(c - g) <= rel * Math.abs(c) + 1e-7, what + ": step " + step + " loss " + g
                    + " on CUDA, " + c + " on the CPU; all: " + java.util.Arrays.toString(losses[1]) + " vs "
                    + java.util.Arrays.toString(losses[0]));
        }
        assertTrue(losses[0][STEPS - 1] < losses[0][0], what + ": it trains: " + java.util.Arrays.toString(losses[0]));
    }

    @Test
    void leNetTrainsOnCudaAsOnTheCpu() {
        CudaTestDevice.backend();
        Generator g = new Generator(3);
        Tensor x = Tensor.randn(g, 6, 1, 28, 28);
        Tensor y = Tensor.ofInts(new int[] {0, 3, 7, 3, 9, 1}, 6);
        float[][] losses = trainBoth(seed -> new LeNet(10), m -> new SGD(m.parameters(), 0.05f, 0.9f), x, y,
                F::crossEntropy);
        assertSameLosses(losses, REL, "LeNet, SGD with momentum");
    }

    @Test
    void transformerEncoderLayerTrainsOnCudaAsOnTheCpu() {
        CudaTestDevice.backend();
        Generator g = new Generator(5);
        Tensor x = Tensor.randn(g, 7, 3, 16); // [S, N, E]
        Tensor target = Tensor.randn(g, 7, 3, 16);
        // dropout 0.1: both layers draw the same masks (same generator seeds, same counter-based stream)
        float[][] losses = trainBoth(seed -> new TransformerEncoderLayer(16, 2, 32, 0.1, TransformerActivation.GELU, 1e-5,
                false, false, new Generator(11)), m -> new Adam(m.parameters(), 1e-3f), x, target, F::mseLoss);
        assertSameLosses(losses, REL, "TransformerEncoderLayer, Adam");
    }

    @Test
    void mlpTrainsOnCudaAsOnTheCpu() {
        CudaTestDevice.backend();
        Generator g = new Generator(9);
        Tensor x = Tensor.randn(g, 64, 784);
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i * 7) % 10;
        }
        Tensor y = Tensor.ofInts(labels, 64);
        float[][] losses = trainBoth(seed -> new Sequential(new Linear(784, 256, true, new Generator(seed)), new ReLU(),
                new Linear(256, 128, true, new Generator(seed + 1)), new ReLU(), new Linear(128, 10, true,
                new Generator(seed + 2))), m -> new SGD(m.parameters(), 0.05f, 0.9f), x, y, F::crossEntropy);
        assertSameLosses(losses, REL, "MLP 784-256-128-10, SGD with momentum");
    }

    @Test
    void resNet18TrainsOnCudaAsOnTheCpu() {
        CudaTestDevice.backend();
        Generator g = new Generator(21);
        Tensor x = Tensor.randn(g, 4, 3, 32, 32);
        Tensor y = Tensor.ofInts(new int[] {1, 0, 3, 2}, 4);
        float[][] losses = trainBoth(seed -> ResNet.resnet18(4), m -> new SGD(m.parameters(), 0.01f, 0.9f), x, y,
                F::crossEntropy);
        assertSameLosses(losses, REL, "ResNet-18 (BatchNorm in training mode), SGD with momentum");
    }

    @Test
    void dropoutMasksAreTheSameOnBothDevices() {
        CudaTestDevice.backend();
        Tensor ones = Tensor.ones(1000);
        float[] cpu = F.dropout(ones, 0.3f, true, new Generator(99)).toFloatArray();
        float[] gpu = F.dropout(ones.to(CudaTestDevice.device()), 0.3f, true, new Generator(99)).toFloatArray();
        assertEquals(java.util.Arrays.toString(cpu), java.util.Arrays.toString(gpu));
    }
}
