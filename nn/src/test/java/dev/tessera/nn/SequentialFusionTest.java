package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Sequential} runs each {@code Linear} followed by a {@code ReLU} as one {@code linearRelu}:
 * its output and every parameter's gradient must have the bits of the modules run one by one.
 */
class SequentialFusionTest {

    @Test
    void linearReluPairsGiveTheBitsOfTheModulesRunOneByOne() {
        assertFusedMatchesOneByOne(mlp(), mlp(), Tensor.randn(new Generator(9), 6, 8));
    }

    @Test
    void convReluPairsGiveTheBitsOfTheModulesRunOneByOne() {
        assertFusedMatchesOneByOne(cnn(), cnn(), Tensor.randn(new Generator(9), 2, 2, 9, 9));
    }

    private static void assertFusedMatchesOneByOne(Sequential fused, Sequential plain, Tensor x) {
        Tensor y = fused.forward(x);
        Tensor g = Tensor.randn(new Generator(10), y.shape());
        Tensor expected = x;
        for (Module m : plain) {
            expected = m.forward(expected);
        }
        assertSameBits("output", expected, y);
        y.mul(g).sum().backward();
        expected.mul(g).sum().backward();
        List<Tensor> a = fused.parameters();
        List<Tensor> b = plain.parameters();
        assertEquals(b.size(), a.size());
        for (int i = 0; i < a.size(); i++) {
            assertSameBits("gradient of parameter " + i, b.get(i).grad(), a.get(i).grad());
        }
    }

    @Test
    void reluAfterGivesTheBitsOfForwardThenReluForEveryKindOfLayer() {
        Tensor x = Tensor.randn(new Generator(5), 2, 3, 6, 6);
        Conv2d conv = new Conv2d(3, 4, 3);
        Module subclass = new Conv2d(3, 4, 3) { }; // not fused: a subclass may override forward
        Module other = new Tanh();
        for (Module m : new Module[] {conv, subclass, other}) {
            assertSameBits(m.getClass().getName(), m.forward(x).relu(), F.reluAfter(m, x));
        }
        Linear linear = new Linear(6, 5, true, new Generator(6));
        assertSameBits("linear", linear.forward(x).relu(), F.reluAfter(linear, x));
    }

    @Test
    void aSubclassOfReluIsNotFusedAway() {
        // A subclass may do more than the rectifier: it must run as written.
        Module doubled = new ReLU() {
            @Override
            public Tensor forward(Tensor input) {
                return super.forward(input).mul(2f);
            }
        };
        Linear linear = new Linear(4, 3, true, new Generator(3));
        Tensor x = Tensor.randn(new Generator(4), 5, 4);
        Tensor y = new Sequential(linear, doubled).forward(x);
        assertSameBits("output", linear.forward(x).relu().mul(2f), y);
    }

    private static Sequential mlp() {
        Generator gen = new Generator(1);
        return new Sequential(new Linear(8, 16, true, gen), new ReLU(), new Linear(16, 16, false, gen), new ReLU(),
                new Linear(16, 3, true, gen));
    }

    private static Sequential cnn() {
        Random.manualSeed(1);
        return new Sequential(new Conv2d(2, 4, 3, 1, 1), new ReLU(), new Conv2d(4, 4, 3, 2, 0, 1, 2, false), new ReLU(),
                new Conv2d(4, 3, 1));
    }

    private static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), what + " at " + i);
        }
    }
}
