package dev.tessera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Random tensors drawn in parallel equal the generator's sequential stream, number for number. */
class RandomDrawTest {

    @Test
    void parallelDrawEqualsSequentialNextFloat() {
        int n = 100_003; // several parallel pieces and a ragged end
        Tensor drawn = Tensor.rand(new Generator(9), n);
        Generator sequential = new Generator(9);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = sequential.nextFloat();
        }
        assertArrayEquals(expected, drawn.toFloatArray());
    }

    @Test
    void randLikeAdvancesTheGeneratorLikeRand() {
        Generator a = new Generator(3);
        Generator b = new Generator(3);
        Tensor like = Tensor.zeros(40, 50).t();
        assertArrayEquals(Tensor.rand(a, 50, 40).toFloatArray(), like.randLike(b).toFloatArray());
        assertEquals(a.nextLong(), b.nextLong(), "both generators continue at the same state");
        assertArrayEquals(new int[] {50, 40}, like.randLike(b).shape());
    }
}
