package dev.tessera;

import static dev.tessera.Checks.assertClose;
import static dev.tessera.Checks.assertExact;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Oracle.Nd;
import org.junit.jupiter.api.Test;

/**
 * Shape ops and views: reshape (with -1, on non-contiguous input), flatten, t, transpose, permute,
 * unsqueeze, squeeze, expand, slice (step, negative indices, clamping), select, contiguous — their
 * values against {@link Oracle} index arithmetic, and that they are zero-copy: writing the base
 * (copyFrom/fill under noGrad) is visible through the view, and writing a view changes the base.
 */
@SuppressWarnings("try") // noGrad() scopes are opened for their effect and never referenced
class ViewTest {
    private static final float[] A = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23};

    private static Tensor base() {
        return Tensor.of(A.clone(), 2, 3, 4);
    }

    private static Nd nbase() {
        return Oracle.nd(A, 2, 3, 4);
    }

    @Test
    void reshapeKeepsRowMajorOrder() {
        Tensor r = base().reshape(4, 6);
        assertExact(A, new int[] {4, 6}, r);
        assertArrayEquals(new int[] {6, 4}, base().reshape(-1, 4).shape());
        assertArrayEquals(new int[] {2, 12}, base().reshape(2, -1).shape());
        assertArrayEquals(new int[] {24}, base().reshape(-1).shape());
        assertArrayEquals(new int[] {1, 24, 1}, base().reshape(1, -1, 1).shape());
        assertEquals(0, Tensor.of(new float[] {5}, 1, 1).reshape().dim());
        assertEquals(5f, Tensor.of(new float[] {5}, 1, 1).reshape().item());
        assertArrayEquals(new int[] {1, 1}, Tensor.scalar(2f).reshape(1, 1).shape());
    }

    @Test
    void reshapeOfContiguousIsAView() {
        Tensor b = base();
        Tensor r = b.reshape(6, 4);
        try (var ng = Tensor.noGrad()) {
            b.fill(7f);
        }
        assertEquals(7f, r.get(5, 3));
    }

    @Test
    void reshapeOfNonContiguousInput() {
        Tensor t = base().transpose(0, 2); // [4, 3, 2]
        Nd nt = Oracle.transpose(nbase(), 0, 2);
        assertClose(new Nd(nt.v(), new int[] {6, 4}), t.reshape(6, 4), 0, 0);
        assertClose(new Nd(nt.v(), new int[] {24}), t.reshape(-1), 0, 0);
        assertClose(new Nd(nt.v(), new int[] {2, 2, 6}), t.reshape(2, 2, -1), 0, 0);
        // merging dims that stay contiguous is possible without a copy on a permuted view
        Tensor p = base().permute(1, 0, 2); // [3, 2, 4]
        Nd np = Oracle.permute(nbase(), 1, 0, 2);
        assertClose(new Nd(np.v(), new int[] {3, 8}), p.reshape(3, 8), 0, 0);
        assertClose(new Nd(np.v(), new int[] {3, 2, 2, 2}), p.reshape(3, 2, 2, 2), 0, 0);
        // stepped slice and expanded input
        Tensor s = base().slice(2, 0, 4, 2); // [2, 3, 2]
        assertClose(new Nd(Oracle.slice(nbase(), 2, 0, 4, 2).v(), new int[] {3, 4}), s.reshape(3, 4), 0, 0);
        Tensor e = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 2);
        assertExact(new float[] {1, 1, 2, 2, 3, 3}, new int[] {6}, e.reshape(6));
    }

    @Test
    void flatten() {
        assertExact(A, new int[] {24}, base().flatten());
        assertArrayEquals(new int[] {6, 4}, base().flatten(0, 1).shape());
        assertArrayEquals(new int[] {2, 12}, base().flatten(1, -1).shape());
        assertExact(toFloats(Oracle.transpose(nbase(), 1, 2).v()), new int[] {24}, base().transpose(1, 2).flatten());
        assertArrayEquals(new int[] {1}, Tensor.scalar(1f).flatten().shape());
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Test
    void transposeAndT() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertExact(new float[] {1, 4, 2, 5, 3, 6}, new int[] {3, 2}, m.t());
        assertFalse(m.t().isContiguous());
        assertExact(new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3}, m.t().t());
        Tensor v = Tensor.of(new float[] {1, 2});
        assertSame(v, v.t());
        for (int[] p : new int[][] {{0, 1}, {0, 2}, {1, 2}, {-1, 0}, {2, 2}}) {
            int d0 = p[0] < 0 ? p[0] + 3 : p[0];
            assertClose(Oracle.transpose(nbase(), d0, p[1]), base().transpose(p[0], p[1]), 0, 0);
        }
    }

    @Test
    void permuteAllOrders() {
        int[][] orders = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int[] o : orders) {
            assertClose(Oracle.permute(nbase(), o), base().permute(o), 0, 0);
        }
        assertClose(Oracle.permute(nbase(), 2, 0, 1), base().permute(-1, 0, 1), 0, 0);
        // permute of a permute
        assertClose(Oracle.permute(Oracle.permute(nbase(), 1, 2, 0), 2, 0, 1), base().permute(1, 2, 0).permute(2, 0, 1), 0, 0);
    }

    @Test
    void unsqueezeAndSqueeze() {
        Tensor b = base();
        assertArrayEquals(new int[] {1, 2, 3, 4}, b.unsqueeze(0).shape());
        assertArrayEquals(new int[] {2, 3, 1, 4}, b.unsqueeze(2).shape());
        assertArrayEquals(new int[] {2, 3, 4, 1}, b.unsqueeze(3).shape());
        assertArrayEquals(new int[] {2, 3, 4, 1}, b.unsqueeze(-1).shape());
        assertArrayEquals(A, b.unsqueeze(1).toFloatArray());
        assertArrayEquals(new int[] {1}, Tensor.scalar(3f).unsqueeze(0).shape());
        Tensor u = Tensor.of(A.clone(), 1, 2, 1, 12, 1);
        assertArrayEquals(new int[] {2, 1, 12, 1}, u.squeeze(0).shape());
        assertArrayEquals(new int[] {1, 2, 12, 1}, u.squeeze(2).shape());
        assertArrayEquals(new int[] {1, 2, 1, 12}, u.squeeze(-1).shape());
        assertArrayEquals(new int[] {1, 2, 1, 12, 1}, u.squeeze(1).shape(), "squeeze of a non-1 dim is a no-op");
        assertArrayEquals(new int[] {2, 12}, u.squeeze().shape());
        assertArrayEquals(A, u.squeeze().toFloatArray());
        assertEquals(0, Tensor.of(new float[] {4}, 1, 1).squeeze().dim());
        // unsqueeze of a transposed view keeps its values
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t().unsqueeze(1);
        assertExact(new float[] {1, 4, 2, 5, 3, 6}, new int[] {3, 1, 2}, t);
    }

    @Test
    void expandRepeatsWithoutCopy() {
        Tensor col = Tensor.of(new float[] {1, 2, 3}, 3, 1);
        Tensor e = col.expand(3, 4);
        assertExact(new float[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, new int[] {3, 4}, e);
        assertArrayEquals(new int[] {2, 3, 4}, col.expand(2, 3, 4).shape());
        assertArrayEquals(new int[] {3, 5}, col.expand(-1, 5).shape());
        assertClose(Oracle.expand(Oracle.nd(new float[] {1, 2, 3}, 3, 1), 2, 3, 4), col.expand(2, 3, 4), 0, 0);
        assertExact(new float[] {5, 5, 5, 5, 5, 5}, new int[] {2, 3}, Tensor.scalar(5f).expand(2, 3));
        try (var ng = Tensor.noGrad()) {
            col.copyFrom(Tensor.of(new float[] {7, 8, 9}, 3, 1));
        }
        assertArrayEquals(new float[] {7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9}, e.toFloatArray());
        // expanding a transposed view
        Tensor row = Tensor.of(new float[] {1, 2}, 2, 1).t(); // [1, 2]
        assertExact(new float[] {1, 2, 1, 2, 1, 2}, new int[] {3, 2}, row.expand(3, 2));
    }

    @Test
    void sliceWithStepNegativeIndicesAndClamping() {
        Nd nb = Oracle.nd(A, 4, 6);
        Tensor b = Tensor.of(A.clone(), 4, 6);
        int[][] cases = {
            {1, 0, 6, 1}, {1, 1, 5, 1}, {1, 0, 6, 2}, {1, 1, 6, 2}, {1, 0, 6, 4}, {1, -3, 6, 1}, {1, -4, -1, 2},
            {1, 2, 100, 1}, {1, -100, 3, 1}, {1, 4, 2, 1}, {1, 6, 6, 1}, {0, 1, 3, 1}, {0, -1, 4, 1}, {0, 0, 4, 3},
            {-1, 0, 5, 3}, {-2, -3, -1, 1},
        };
        for (int[] c : cases) {
            int dim = c[0] < 0 ? c[0] + 2 : c[0];
            Nd expected = Oracle.slice(nb, dim, c[1], c[2], c[3]);
            Tensor got = c[3] == 1 ? b.slice(c[0], c[1], c[2]) : b.slice(c[0], c[1], c[2], c[3]);
            assertClose("slice " + java.util.Arrays.toString(c), expected, got, 0, 0);
        }
        // slice of slice of transpose
        Tensor v = b.t().slice(0, 1, 6, 2).slice(1, 1, 4, 2); // [3, 2]
        Nd nv = Oracle.slice(Oracle.slice(Oracle.transpose(nb, 0, 1), 0, 1, 6, 2), 1, 1, 4, 2);
        assertClose(nv, v, 0, 0);
    }

    @Test
    void sliceWithHugeStepKeepsTheFirstElement() {
        Tensor b = Tensor.arange(5);
        assertExact(new float[] {0}, new int[] {1}, b.slice(0, 0, 5, 1_000_000_000));
        assertExact(new float[] {0}, new int[] {1}, b.slice(0, 0, 5, Integer.MAX_VALUE));
    }

    @Test
    void selectRemovesTheDim() {
        Nd nb = nbase();
        for (int d = 0; d < 3; d++) {
            for (int i = 0; i < nb.shape()[d]; i++) {
                Nd expected = Oracle.dropDim(Oracle.slice(nb, d, i, i + 1, 1), d);
                assertClose(expected, base().select(d, i), 0, 0);
            }
        }
        assertClose(Oracle.dropDim(Oracle.slice(nb, 1, 2, 3, 1), 1), base().select(1, -1), 0, 0);
        assertEquals(23f, base().select(0, 1).select(0, 2).select(0, 3).item());
        assertEquals(0, base().select(0, 1).select(0, 2).select(0, 3).dim());
    }

    @Test
    void contiguousCopiesAStridedView() {
        Tensor t = base().permute(2, 0, 1);
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertClose(Oracle.permute(nbase(), 2, 0, 1), c, 0, 0);
        assertArrayEquals(new int[] {6, 3, 1}, c.strides());
    }

    @Test
    void viewsShareStorageWithTheBase() {
        Tensor b = Tensor.of(A.clone(), 4, 6);
        Tensor t = b.t();
        Tensor s = b.slice(1, 1, 6, 2);
        Tensor r = b.reshape(2, 12);
        Tensor p = b.unsqueeze(0).permute(2, 0, 1);
        Tensor sel = b.select(0, 2);
        Tensor f = b.flatten();
        try (var ng = Tensor.noGrad()) {
            b.slice(0, 2, 3).fill(-1f); // row 2
            b.copyFrom(b.mul(1f).add(Tensor.of(new float[] {0, 0, 0, 0, 0, 100}))); // column 5 += 100
        }
        assertEquals(-1f, t.get(0, 2));
        assertEquals(-1f, sel.get(4));
        assertEquals(105f, t.get(5, 0));
        assertEquals(111f, s.get(1, 2)); // b[1][5] = 11 + 100
        assertEquals(-1f, r.get(1, 0));
        assertEquals(99f, p.get(5, 0, 2));
        assertEquals(-1f, f.get(12));
        assertEquals(23f + 100f, f.get(23));
        // writing through a view reaches the base
        try (var ng = Tensor.noGrad()) {
            t.select(0, 0).fill(42f); // column 0 of b
            s.slice(0, 3, 4).copyFrom(Tensor.of(new float[] {7, 8, 9})); // row 3, columns 1, 3, 5
        }
        assertArrayEquals(new float[] {42, 42, 42, 42}, b.select(1, 0).toFloatArray());
        assertArrayEquals(new float[] {42, 7, 20, 8, 22, 9}, b.select(0, 3).toFloatArray());
    }

    @Test
    void detachSharesStorage() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        try (var ng = Tensor.noGrad()) {
            x.fill(5f);
        }
        assertArrayEquals(new float[] {5, 5, 5}, d.toFloatArray());
    }
}
