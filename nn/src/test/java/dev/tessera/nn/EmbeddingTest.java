package dev.tessera.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import dev.tessera.GradCheck;
import dev.tessera.Tensor;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
    @Test
    void looksUpRowsForAnyIndexShape() {
        Embedding e = new Embedding(5, 3, new Generator(1));
        assertArrayEquals(new int[] {5, 3}, e.weight().shape());
        float[] w = e.weight().toFloatArray();
        int[] idx = {4, 0, 2, 2, 1, 4};
        Tensor y = e.forward(Tensor.ofInts(idx, 2, 3));
        assertArrayEquals(new int[] {2, 3, 3}, y.shape());
        float[] out = y.toFloatArray();
        for (int i = 0; i < idx.length; i++) {
            for (int d = 0; d < 3; d++) {
                assertEquals(w[idx[i] * 3 + d], out[i * 3 + d], 0f);
            }
        }
        assertArrayEquals(new int[] {3}, e.forward(Tensor.ofInts(new int[] {2}).reshape()).shape());
        assertArrayEquals(new int[] {4, 3}, e.forward(Tensor.ofInts(new int[] {0, 1, 2, 3})).shape());
        assertEquals("Embedding(5, 3)", e.toString());
    }

    @Test
    void defaultInitIsStandardNormal() {
        float[] w = new Embedding(1000, 50, new Generator(2)).weight().toFloatArray();
        double sum = 0;
        double sq = 0;
        for (float v : w) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / w.length;
        assertEquals(0, mean, 0.02);
        assertEquals(1, Math.sqrt(sq / w.length - mean * mean), 0.02);
    }

    @Test
    void badIndicesNameTheIndexAndTableSize() {
        Embedding e = new Embedding(5, 2);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> e.forward(Tensor.ofInts(new int[] {1, 7, 0}, 3)));
        assertTrue(ex.getMessage().contains("index 7") && ex.getMessage().contains("5 embeddings"), ex.getMessage());
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                () -> e.forward(Tensor.ofInts(new int[] {-1}, 1)));
        assertTrue(neg.getMessage().contains("index -1"), neg.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.zeros(2)));
        assertTrue(f.getMessage().contains("INT32"), f.getMessage());
    }

    @Test
    void gradientsAccumulateOverRepeatedIndices() {
        Embedding e = new Embedding(4, 2, new Generator(3));
        e.forward(Tensor.ofInts(new int[] {1, 3, 1}, 3)).sum().backward();
        assertArrayEquals(new float[] {0, 0, 2, 2, 0, 0, 1, 1}, e.weight().grad().toFloatArray());
        e.zeroGrad();
        NnTestUtil.assertParameterGradients(e, Tensor.ofInts(new int[] {1, 3, 1, 0}, 2, 2));
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 2}, 3);
        GradCheck.assertGradients(t -> t[0].indexSelect(0, t[1]), e.weight().detach(), idx);
    }

    @Test
    void fromPretrainedSharesDataAndCanFreeze() {
        Tensor table = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Embedding frozen = Embedding.fromPretrained(table, true);
        assertFalse(frozen.weight().requiresGrad());
        assertFalse(table.requiresGrad());
        assertArrayEquals(new float[] {5, 6, 1, 2}, frozen.forward(Tensor.ofInts(new int[] {2, 0}, 2)).toFloatArray());
        assertTrue(Embedding.fromPretrained(table, false).weight().requiresGrad());
        assertThrows(IllegalArgumentException.class, () -> Embedding.fromPretrained(Tensor.zeros(3), true));
    }
}
