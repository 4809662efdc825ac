package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static dev.tessera.Checks.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.Oracle.Nd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Joining and indexing: cat (every dim, negative dim, views as inputs, INT32), stack (every new
 * dim, 0-d inputs), split (uneven last piece), chunk (PyTorch's sizes), gather and indexSelect
 * (every dim, repeated indices, non-contiguous sources, large inputs) against the {@link Oracle}.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class JoiningIndexingTest {

    @Test
    void catAlongEveryDim() {
        float[] a = Checks.normal(81, 2 * 3 * 4);
        for (int d = 0; d < 3; d++) {
            int[] sb = {2, 3, 4};
            sb[d] = d + 1;
            float[] b = Checks.normal(82 + d, Oracle.numel(sb));
            Nd expected = Oracle.cat(d, Oracle.nd(a, 2, 3, 4), Oracle.nd(b, sb), Oracle.nd(a, 2, 3, 4));
            Tensor ta = Tensor.of(a, 2, 3, 4);
            assertClose("cat dim " + d, expected, Tensor.cat(List.of(ta, Tensor.of(b, sb), ta), d), 0, 0);
            assertClose("cat dim " + (d - 3), expected, Tensor.cat(List.of(ta, Tensor.of(b, sb), ta), d - 3), 0, 0);
        }
    }

    @Test
    void catOfViews() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor stepped = Tensor.of(new float[] {10, 11, 12, 13, 14, 15, 16, 17, 18}, 3, 3).slice(1, 0, 3, 2);
        Tensor expanded = Tensor.of(new float[] {7, 8, 9}, 3, 1).expand(3, 2);
        Tensor out = Tensor.cat(List.of(m.t(), stepped, expanded), 1);
        assertExact(new float[] {1, 4, 10, 12, 7, 7, 2, 5, 13, 15, 8, 8, 3, 6, 16, 18, 9, 9}, new int[] {3, 6}, out);
        Tensor rows = Tensor.cat(List.of(m.slice(0, 1, 2), m.t().t(), Tensor.zeros(0, 3)), 0);
        assertExact(new float[] {4, 5, 6, 1, 2, 3, 4, 5, 6}, new int[] {3, 3}, rows);
    }

    @Test
    void catIntTensors() {
        Tensor c = Tensor.cat(List.of(Tensor.ofInts(new int[] {1, 2}), Tensor.ofInts(new int[] {3})), 0);
        assertEquals(DType.INT32, c.dtype());
        assertArrayEquals(new int[] {1, 2, 3}, c.toIntArray());
        assertExact(new float[] {1, 2}, new int[] {2}, Tensor.cat(List.of(Tensor.of(new float[] {1, 2})), 0));
    }

    @Test
    void stackAlongEveryNewDim() {
        float[] a = Checks.normal(85, 6);
        float[] b = Checks.normal(86, 6);
        Nd na = Oracle.nd(a, 2, 3);
        Nd nb = Oracle.nd(b, 2, 3);
        for (int d = 0; d <= 2; d++) {
            int[] s = {2, 3};
            int[] us = new int[3];
            for (int i = 0, j = 0; i < 3; i++) {
                us[i] = i == d ? 1 : s[j++];
            }
            Nd expected = Oracle.cat(d, new Nd(na.v(), us), new Nd(nb.v(), us));
            Tensor got = Tensor.stack(List.of(Tensor.of(a, 2, 3), Tensor.of(b, 2, 3)), d);
            assertClose("stack dim " + d, expected, got, 0, 0);
            assertClose("stack dim " + (d - 3), expected, Tensor.stack(List.of(Tensor.of(a, 2, 3), Tensor.of(b, 2, 3)), d - 3), 0, 0);
        }
        Tensor s0 = Tensor.stack(List.of(Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f)), 0);
        assertExact(new float[] {1, 2, 3}, new int[] {3}, s0);
        Tensor st = Tensor.stack(List.of(Tensor.of(a, 2, 3).t(), Tensor.of(b, 3, 2)), 0);
        assertClose(Oracle.cat(0, new Nd(Oracle.transpose(na, 0, 1).v(), new int[] {1, 3, 2}), Oracle.nd(b, 1, 3, 2)), st, 0, 0);
    }

    @Test
    void splitAndChunk() {
        Tensor t = Tensor.arange(10).reshape(2, 5);
        List<Tensor> parts = t.split(2, 1);
        assertEquals(3, parts.size());
        assertExact(new float[] {0, 1, 5, 6}, new int[] {2, 2}, parts.get(0));
        assertExact(new float[] {2, 3, 7, 8}, new int[] {2, 2}, parts.get(1));
        assertExact(new float[] {4, 9}, new int[] {2, 1}, parts.get(2));
        assertEquals(1, t.split(5, 1).size());
        assertEquals(1, t.split(7, -1).size());
        assertEquals(2, t.split(1, 0).size());
        // chunk follows torch.chunk: size ceil(n / chunks)
        List<Tensor> c = Tensor.arange(6).chunk(4, 0);
        assertEquals(3, c.size());
        assertExact(new float[] {0, 1}, new int[] {2}, c.get(0));
        assertExact(new float[] {4, 5}, new int[] {2}, c.get(2));
        List<Tensor> c5 = Tensor.arange(10).chunk(3, 0);
        assertEquals(3, c5.size());
        assertArrayEquals(new int[] {4}, c5.get(0).shape());
        assertArrayEquals(new int[] {2}, c5.get(2).shape());
        assertEquals(3, Tensor.arange(3).chunk(5, 0).size());
        // pieces are views
        Tensor base = Tensor.zeros(4, 3);
        List<Tensor> halves = base.chunk(2, 0);
        try (var ng = Tensor.noGrad()) {
            base.fill(3f);
        }
        assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3}, halves.get(1).toFloatArray());
        // split of a transposed view
        List<Tensor> tp = t.t().split(2, 0);
        assertExact(new float[] {0, 5, 1, 6}, new int[] {2, 2}, tp.get(0));
        assertExact(new float[] {4, 9}, new int[] {1, 2}, tp.get(2));
    }

    @Test
    void gatherAlongEveryDim() {
        float[] a = Checks.normal(87, 3 * 4 * 5);
        Nd x = Oracle.nd(a, 3, 4, 5);
        Tensor t = Tensor.of(a, 3, 4, 5);
        java.util.Random r = new java.util.Random(88);
        for (int d = 0; d < 3; d++) {
            int[] ishape = {2, 3, 4};
            ishape[d] = 6; // longer than the source along dim: indices repeat
            int[] idx = new int[Oracle.numel(ishape)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = r.nextInt(x.shape()[d]);
            }
            Tensor index = Tensor.ofInts(idx, ishape);
            assertClose("gather dim " + d, Oracle.gather(x, d, idx, ishape), t.gather(d, index), 0, 0);
            assertClose("gather dim " + (d - 3), Oracle.gather(x, d, idx, ishape), t.gather(d - 3, index), 0, 0);
        }
    }

    @Test
    void gatherKnownValuesAndViews() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 1, 1}, 2, 2);
        assertExact(new float[] {3, 1, 5, 5}, new int[] {2, 2}, m.gather(1, idx));
        assertExact(new float[] {3, 5}, new int[] {1, 2}, m.gather(0, Tensor.ofInts(new int[] {0, 1}, 1, 2)).add(
                Tensor.of(new float[] {2, 0})));
        // transposed source: [3, 2] = [[1, 4], [2, 5], [3, 6]]
        assertExact(new float[] {4, 2, 6}, new int[] {3, 1}, m.t().gather(1, Tensor.ofInts(new int[] {1, 0, 1}, 3, 1)));
        // transposed index
        Tensor it = Tensor.ofInts(new int[] {0, 1, 1, 0, 0, 1}, 3, 2).t(); // [[0,1,0],[1,0,1]]
        assertExact(new float[] {1, 5, 3, 4, 2, 6}, new int[] {2, 3}, m.gather(0, it));
        // the classic use: pick the target class score per row
        Tensor logits = Tensor.of(new float[] {0.1f, 0.7f, 0.2f, 0.5f, 0.3f, 0.2f}, 2, 3);
        Tensor targets = Tensor.ofInts(new int[] {1, 0}, 2, 1);
        assertExact(new float[] {0.7f, 0.5f}, new int[] {2, 1}, logits.gather(1, targets));
    }

    @Test
    void indexSelectAlongEveryDim() {
        float[] a = Checks.normal(89, 3 * 4 * 5);
        Nd x = Oracle.nd(a, 3, 4, 5);
        Tensor t = Tensor.of(a, 3, 4, 5);
        int[][] indices = {{2, 0, 2, 1}, {3, 3, 0}, {4, 1, 0, 2, 3, 4, 4}};
        for (int d = 0; d < 3; d++) {
            int[] idx = indices[d];
            Nd[] parts = new Nd[idx.length];
            for (int i = 0; i < idx.length; i++) {
                parts[i] = Oracle.slice(x, d, idx[i], idx[i] + 1, 1);
            }
            Nd expected = Oracle.cat(d, parts);
            assertClose("indexSelect dim " + d, expected, t.indexSelect(d, Tensor.ofInts(idx)), 0, 0);
            // a permuted source
            Tensor p = t.permute(2, 0, 1);
            Nd np = Oracle.permute(x, 2, 0, 1);
            int pd = (d + 1) % 3;
            int[] pidx = indices[(pd + 2) % 3];
            Nd[] pparts = new Nd[pidx.length];
            for (int i = 0; i < pidx.length; i++) {
                pparts[i] = Oracle.slice(np, pd, pidx[i], pidx[i] + 1, 1);
            }
            assertClose("indexSelect of permuted dim " + pd, Oracle.cat(pd, pparts), p.indexSelect(pd, Tensor.ofInts(pidx)), 0, 0);
        }
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        assertExact(new float[] {5, 6, 1, 2}, new int[] {2, 2}, m.indexSelect(0, Tensor.ofInts(new int[] {2, 0})));
        assertExact(new float[0], new int[] {0, 2}, m.indexSelect(0, Tensor.ofInts(new int[0])));
        // a stepped index view: [2, 1, 0, 1] sliced with step 2 -> [2, 0]
        assertExact(new float[] {5, 6, 1, 2}, new int[] {2, 2},
                m.indexSelect(0, Tensor.ofInts(new int[] {2, 1, 0, 1}).slice(0, 0, 4, 2)));
    }

    @Test
    void indexSelectRowsOfInts() {
        Tensor m = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
        Tensor rows = m.indexSelect(0, Tensor.ofInts(new int[] {2, 2, 0}));
        assertArrayEquals(new int[] {3, 3}, rows.shape());
        assertArrayEquals(new int[] {7, 8, 9, 7, 8, 9, 1, 2, 3}, rows.toIntArray());
        // rows of a view that starts inside its storage: [[5, 6], [8, 9]]
        Tensor corner = m.slice(0, 1, 3, 1).slice(1, 1, 3, 1);
        assertArrayEquals(new int[] {8, 9, 5, 6, 8, 9}, corner.indexSelect(0, Tensor.ofInts(new int[] {1, 0, 1})).toIntArray());
    }

    @Test
    void indexSelectRowsGradientAddsRepeatedRowsInOrder() {
        float[] a = Checks.normal(93, 4 * 6);
        Tensor x = Tensor.of(a, 4, 6).requiresGrad(true);
        int[] idx = {3, 1, 3, 3, 0};
        float[] g = Checks.normal(94, idx.length * 6);
        x.indexSelect(0, Tensor.ofInts(idx)).backward(Tensor.of(g, idx.length, 6));
        float[] expected = new float[4 * 6];
        for (int i = 0; i < idx.length; i++) {
            for (int j = 0; j < 6; j++) {
                expected[idx[i] * 6 + j] += g[i * 6 + j]; // the order the gradient is summed in
            }
        }
        assertExact(expected, new int[] {4, 6}, x.grad());
    }

    @Test
    void largeGatherAndIndexSelect() {
        int rows = 300;
        int cols = 517;
        float[] a = Checks.normal(90, rows * cols);
        Nd x = Oracle.nd(a, rows, cols);
        int[] idx = new int[rows * cols];
        java.util.Random r = new java.util.Random(91);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(cols);
        }
        Tensor t = Tensor.of(a, rows, cols);
        assertClose(Oracle.gather(x, 1, idx, new int[] {rows, cols}), t.gather(1, Tensor.ofInts(idx, rows, cols)), 0, 0);
        int[] rowIdx = new int[400];
        for (int i = 0; i < rowIdx.length; i++) {
            rowIdx[i] = r.nextInt(rows);
        }
        Tensor sel = t.indexSelect(0, Tensor.ofInts(rowIdx));
        assertArrayEquals(new int[] {400, cols}, sel.shape());
        float[] s = sel.toFloatArray();
        for (int i = 0; i < rowIdx.length; i++) {
            for (int j = 0; j < cols; j += 37) {
                assertEquals(a[rowIdx[i] * cols + j], s[i * cols + j]);
            }
        }
    }

    /**
     * Pure data movement keeps the element type, as cat, stack, slice, reshape and contiguous do
     * (and as PyTorch's gather and index_select do): shuffling INT32 labels with indexSelect must
     * give INT32 labels back, exactly (no float rounding above 2^24).
     */
    @Test
    void gatherAndIndexSelectKeepInt32() {
        Tensor labels = Tensor.ofInts(new int[] {5, 6, 7, 16777217});
        Tensor shuffled = labels.indexSelect(0, Tensor.ofInts(new int[] {3, 0, 2}));
        org.junit.jupiter.api.Assertions.assertAll(
            () -> assertEquals(DType.INT32, shuffled.dtype(), "indexSelect of INT32"),
            () -> assertArrayEquals(new int[] {16777217, 5, 7}, shuffled.toIntArray()),
            () -> assertEquals(DType.INT32, labels.reshape(2, 2).gather(1, Tensor.ofInts(new int[] {1, 0}, 2, 1)).dtype(),
                    "gather of INT32"),
            () -> assertEquals(DType.INT32, Tensor.cat(List.of(labels, labels), 0).dtype()),
            () -> assertEquals(DType.INT32, labels.slice(0, 1, 3).contiguous().dtype()));
    }
}
