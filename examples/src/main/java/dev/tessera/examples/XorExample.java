package dev.tessera.examples;

import dev.tessera.Device;
import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * Trains a two-layer network on XOR with nothing but tensors and autograd: the forward pass is
 * written out by hand, gradients come from {@code backward()}, and the update is plain gradient
 * descent under {@code Tensor.noGrad()}.
 */
public final class XorExample {
    private XorExample() {
    }

    /** Trains and prints the loss curve and the final predictions. */
    public static void main(String[] argv) {
        if (!new Args("xor").parse(argv)) {
            return;
        }
        System.out.println("Devices: " + Device.available() + "; training on " + Device.getDefault());
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        Generator g = new Generator(7);
        Tensor w1 = Tensor.randn(g, 2, 8).mul(0.8f).requiresGrad(true);
        Tensor b1 = Tensor.zeros(8).requiresGrad(true);
        Tensor w2 = Tensor.randn(g, 8, 1).mul(0.8f).requiresGrad(true);
        Tensor b2 = Tensor.zeros(1).requiresGrad(true);
        Tensor[] params = {w1, b1, w2, b2};

        for (int step = 0; step <= 2000; step++) {
            Tensor pred = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sigmoid();
            Tensor loss = pred.sub(y).square().mean();
            loss.backward();
            try (var ng = Tensor.noGrad()) {
                for (Tensor p : params) {
                    p.subInPlace(p.grad().mul(2f));
                    p.zeroGrad();
                }
            }
            if (step % 250 == 0) {
                System.out.printf("step %4d  loss %.5f%n", step, loss.item());
            }
        }
        try (var ng = Tensor.noGrad()) {
            Tensor pred = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sigmoid();
            System.out.println("inputs      " + x);
            System.out.println("predictions " + pred);
        }
    }
}
