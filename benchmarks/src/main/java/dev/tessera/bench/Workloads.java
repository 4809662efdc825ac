package dev.tessera.bench;

import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.AttentionMask;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.MultiheadAttention;
import dev.tessera.nn.Random;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.TransformerEncoderLayer;
import dev.tessera.nn.models.LeNet;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;

/**
 * The benchmarked workloads, each built from a fixed seed with fixed shapes; {@code
 * benchmarks/compare.py} builds the same ones in PyTorch (keep the two in step).
 *
 * <p>Every factory allocates its inputs and model once; the returned {@link Workload} repeats the
 * timed part only. Training steps use SGD with learning rate 0.01 and momentum 0.9 and
 * cross-entropy on random class labels.
 */
public final class Workloads {
    /** Learning rate of every SGD training step. */
    public static final float LR = 0.01f;
    /** Momentum of every SGD training step. */
    public static final float MOMENTUM = 0.9f;

    private Workloads() {
    }

    /** {@code C = A B} of two random {@code n x n} matrices with {@link Tensor#matmul} on the CPU. */
    public static Workload matmul(int n) {
        return matmul(n, Device.cpu());
    }

    /**
     * {@code C = A B} of two random {@code n x n} matrices with {@link Tensor#matmul} on {@code
     * device}. Off the CPU, one element of C is read back after each product, so that an
     * asynchronous device has finished the work when {@link Workload#run()} returns.
     */
    public static Workload matmul(int n, Device device) {
        Generator g = new Generator(1);
        Tensor a = Tensor.randn(g, n, n).to(device);
        Tensor b = Tensor.randn(g, n, n).to(device);
        if (device.equals(Device.cpu())) {
            return () -> a.matmul(b);
        }
        return () -> a.matmul(b).slice(0, 0, 1).slice(1, 0, 1).item();
    }

    /** The 784-256-128-10 ReLU perceptron of the MLP benchmarks (no dropout). */
    public static Sequential mlp() {
        return new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));
    }

    /** One SGD training step of {@link #mlp()} on a random batch {@code [batch, 784]}. */
    public static Workload mlpStep(int batch) {
        Random.manualSeed(0);
        Generator g = new Generator(2);
        return trainStep(mlp(), Tensor.rand(g, batch, 784), labels(g, batch));
    }

    /** One SGD training step of {@link LeNet} on a random batch {@code [batch, 1, 28, 28]}. */
    public static Workload lenetStep(int batch) {
        Random.manualSeed(0);
        Generator g = new Generator(3);
        return trainStep(new LeNet(10), Tensor.rand(g, batch, 1, 28, 28), labels(g, batch));
    }

    /**
     * {@code Conv2d} forward only (no graph recorded): batch 32, 64 to 64 channels, 3x3 kernel,
     * 56x56, padding 1, with bias.
     */
    public static Workload conv2dForward() {
        Conv conv = new Conv();
        return () -> {
            try (var ng = Tensor.noGrad()) {
                return conv.x.conv2d(conv.w, conv.b, 1, 1);
            }
        };
    }

    /**
     * {@code Conv2d} forward and backward (gradients of input, weight and bias) with the shapes
     * of {@link #conv2dForward()}; the output gradient is a fixed random tensor.
     */
    public static Workload conv2dForwardBackward() {
        Conv conv = new Conv();
        Tensor gradOut = Tensor.randn(new Generator(5), 32, 64, 56, 56);
        return () -> {
            conv.x.zeroGrad();
            conv.w.zeroGrad();
            conv.b.zeroGrad();
            conv.x.conv2d(conv.w, conv.b, 1, 1).backward(gradOut);
            return conv.w.grad();
        };
    }

    /**
     * {@link MultiheadAttention} self-attention forward and backward: embed 128, 4 heads, sequence
     * 128, batch 32 ({@code [128, 32, 128]}, sequence first), no dropout, input requiring grad.
     */
    public static Workload attentionForwardBackward() {
        Random.manualSeed(0);
        return forwardBackward(new MultiheadAttention(128, 4), 128, 32, 128);
    }

    /**
     * {@link MultiheadAttention} forward and backward with a causal mask (query {@code i} attends
     * to keys {@code 0..i}, as a decoder's self-attention): E 128, 4 heads, sequence 128, batch
     * 32, input requiring grad.
     */
    public static Workload causalAttentionForwardBackward() {
        Random.manualSeed(0);
        MultiheadAttention mha = new MultiheadAttention(128, 4);
        AttentionMask causal = AttentionMask.causal();
        return forwardBackward(mha, x -> mha.forward(x, x, x, null, causal, false).output(), 128, 32, 128);
    }

    /**
     * {@link TransformerEncoderLayer} forward and backward in training mode: d 128, 4 heads,
     * feed-forward 512, dropout 0.1 (PyTorch's default), batch 32, sequence 64 ({@code [64, 32,
     * 128]}, sequence first), input requiring grad.
     */
    public static Workload transformerForwardBackward() {
        Random.manualSeed(0);
        return forwardBackward(new TransformerEncoderLayer(128, 4, 512, 0.1), 64, 32, 128);
    }

    /**
     * {@code a.add(b)} of two one-element tensors that require grad (a node is recorded) or not
     * (nothing is recorded).
     */
    public static Workload addScalar(boolean grad) {
        Tensor a = Tensor.of(new float[] {1f}, 1).requiresGrad(grad);
        Tensor b = Tensor.of(new float[] {2f}, 1).requiresGrad(grad);
        return () -> a.add(b);
    }

    private static Workload trainStep(Module model, Tensor x, Tensor y) {
        model.train();
        Optimizer opt = new SGD(model.parameters(), LR, MOMENTUM);
        return () -> {
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(x), y);
            loss.backward();
            opt.step();
            return loss;
        };
    }

    private static Workload forwardBackward(Module module, int seq, int batch, int embed) {
        return forwardBackward(module, module::forward, seq, batch, embed);
    }

    private static Workload forwardBackward(Module module, java.util.function.UnaryOperator<Tensor> call, int seq,
                                            int batch, int embed) {
        module.train();
        Generator g = new Generator(4);
        Tensor x = Tensor.randn(g, seq, batch, embed).requiresGrad(true);
        Tensor gradOut = Tensor.randn(g, seq, batch, embed);
        return () -> {
            module.zeroGrad();
            x.zeroGrad();
            call.apply(x).backward(gradOut);
            return x.grad();
        };
    }

    private static Tensor labels(Generator g, int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = g.nextInt(10);
        }
        return Tensor.ofInts(y, n);
    }

    /** The operands of the convolution workloads. */
    private static final class Conv {
        final Tensor x;
        final Tensor w;
        final Tensor b;

        Conv() {
            Generator g = new Generator(6);
            x = Tensor.randn(g, 32, 64, 56, 56).requiresGrad(true);
            w = Tensor.randn(g, 64, 64, 3, 3).mul(1f / 24f).requiresGrad(true);
            b = Tensor.randn(g, 64).requiresGrad(true);
        }
    }
}
