package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The foundation's end-to-end check: a two-layer network built by hand from tensors, trained on
 * XOR with plain gradient descent, as a user with only core and backend-cpu on the classpath would.
 */
class XorTrainingTest {

    @Test
    void twoLayerNetworkLearnsXor() {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0}, 4, 1);
        Generator g = new Generator(7);
        Tensor w1 = Tensor.randn(g, 2, 8).mul(0.8f).requiresGrad(true);
        Tensor b1 = Tensor.zeros(8).requiresGrad(true);
        Tensor w2 = Tensor.randn(g, 8, 1).mul(0.8f).requiresGrad(true);
        Tensor b2 = Tensor.zeros(1).requiresGrad(true);
        Tensor[] params = {w1, b1, w2, b2};

        float loss = Float.NaN;
        for (int step = 0; step < 3000 && !(loss < 0.005f); step++) {
            Tensor hidden = x.matmul(w1).add(b1).tanh();
            Tensor pred = hidden.matmul(w2).add(b2).sigmoid();
            Tensor l = pred.sub(y).square().mean();
            l.backward();
            loss = l.item();
            try (var ng = Tensor.noGrad()) {
                for (Tensor p : params) {
                    p.subInPlace(p.grad().mul(2f));
                    p.zeroGrad();
                }
            }
        }
        assertTrue(loss < 0.01f, "XOR loss after training: " + loss);

        float[] out;
        try (var ng = Tensor.noGrad()) {
            out = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sigmoid().toFloatArray();
        }
        float[] expected = {0, 1, 1, 0};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], out[i], 0.2f, "prediction " + i);
        }
    }
}
