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

    @Test
    void paddingRowStartsAtZeroAndGetsNoGradient() {
        Embedding e = new Embedding(5, 3, 2, new Generator(4));
        assertEquals(2, e.paddingIdx().getAsInt());
        assertArrayEquals(new float[3], e.weight().select(0, 2).toFloatArray());
        assertEquals("Embedding(5, 3, paddingIdx=2)", e.toString());
        try (var ng = Tensor.noGrad()) {
            e.weight().select(0, 2).fill(7f); // a pretrained, non-zero padding row is returned as stored
        }
        Tensor idx = Tensor.ofInts(new int[] {2, 1, 2, 4, 1}, 5);
        float[] out = e.forward(idx).toFloatArray();
        assertArrayEquals(new float[] {7, 7, 7}, java.util.Arrays.copyOfRange(out, 0, 3));
        Tensor w = Tensor.rand(new Generator(5), 5, 3);
        e.forward(idx).mul(w).sum().backward();
        float[] grad = e.weight().grad().toFloatArray();
        float[] wv = w.toFloatArray();
        // Independent oracle: row r's gradient is the sum of w over the positions that look r up, but row 2 gets none.
        int[] ids = {2, 1, 2, 4, 1};
        float[] expected = new float[15];
        for (int i = 0; i < ids.length; i++) {
            for (int d = 0; d < 3 && ids[i] != 2; d++) {
                expected[ids[i] * 3 + d] += wv[i * 3 + d];
            }
        }
        assertArrayEquals(expected, grad, 1e-6f);
    }

    @Test
    void negativePaddingIndexCountsFromTheEndAndIsChecked() {
        Embedding e = new Embedding(4, 2, -1, new Generator(6));
        assertEquals(3, e.paddingIdx().getAsInt());
        assertTrue(new Embedding(4, 2, new Generator(6)).paddingIdx().isEmpty());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, 4));
        assertTrue(ex.getMessage().contains("paddingIdx") && ex.getMessage().contains("4"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Embedding(4, 2, -5));
        Embedding pre = Embedding.fromPretrained(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), false, 0);
        pre.forward(Tensor.ofInts(new int[] {0, 1, 0}, 3)).sum().backward();
        assertArrayEquals(new float[] {0, 0, 1, 1}, pre.weight().grad().toFloatArray());
        assertArrayEquals(new float[] {1, 2}, pre.weight().select(0, 0).toFloatArray(), "from_pretrained keeps the row");
    }

    @Test
    void paddingEmbeddingPassesGradCheckOnTheOtherRows() {
        // The padding row's gradient is zero by design (not the derivative), so it is not looked up here.
        Embedding e = new Embedding(4, 3, 1, new Generator(7));
        NnTestUtil.assertParameterGradients(e, Tensor.ofInts(new int[] {2, 3, 0, 3}, 4));
    }
}
