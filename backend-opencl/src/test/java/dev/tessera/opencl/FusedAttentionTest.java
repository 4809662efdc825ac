package dev.tessera.opencl;

import static dev.tessera.opencl.SpiPair.contiguous;

import dev.tessera.DType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Storage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** softmaxBackward, attention and attentionBackward on OpenCL against the CPU backend. */
class FusedAttentionTest {

    @ParameterizedTest(name = "outer {0}, n {1}, inner {2}, log {3}")
    @CsvSource({"3, 5, 1, false", "3, 5, 1, true", "2, 7, 3, false", "2, 7, 3, true", "4, 300, 1, false",
        "4, 300, 1, true", "2, 130, 2, false", "1, 1, 1, false", "0, 5, 1, false", "3, 0, 2, true"})
    void softmaxBackwardMatchesTheCpu(int outer, int n, int inner, boolean log) {
        SpiPair p = new SpiPair();
        int size = outer * n * inner;
        int yo = 3;
        int go = 5;
        float[] x = SpiPair.random(1, size + yo, 3f);
        // y: the forward's output, written by each backend's own softmax
        SpiPair.Views xv = p.floats(x, new int[] {size + yo}, new int[] {1}, 0);
        SpiPair.Views y = p.zeros(DType.FLOAT32, size + yo, new int[] {size + yo}, new int[] {1}, 0);
        SpiPair.Views g = p.floats(SpiPair.random(2, size + go, 1f), new int[] {size + go}, new int[] {1}, 0);
        SpiPair.Views gx = p.zeros(DType.FLOAT32, size + 1, new int[] {size + 1}, new int[] {1}, 0);
        for (int s = 0; s < 2; s++) {
            Backend b = s == 0 ? p.cpu : p.ocl;
            b.softmax(xv.on(s).storage(), yo, outer, n, inner, y.on(s).storage(), yo, log);
            b.softmaxBackward(y.on(s).storage(), yo, g.on(s).storage(), go, outer, n, inner, gx.on(s).storage(), 1, log);
        }
        p.assertSameFloats(gx, "softmaxBackward");
        // in place: gx is g at the same offset
        for (int s = 0; s < 2; s++) {
            Backend b = s == 0 ? p.cpu : p.ocl;
            Storage gs = g.on(s).storage();
            b.softmaxBackward(y.on(s).storage(), yo, gs, go, outer, n, inner, gs, go, log);
        }
        p.assertSameFloats(g, "softmaxBackward in place");
    }

    /**
     * q is a strided view (rows and problems spaced beyond their length) of a larger buffer; k
     * and v are contiguous; probs, out and the gradients are contiguous.
     */
    @ParameterizedTest(name = "batch {0}, L {1}, S {2}, E {3}, Ev {4}")
    @CsvSource({"1, 1, 1, 1, 1", "3, 5, 7, 4, 6", "2, 9, 150, 8, 5", "4, 17, 3, 16, 16", "0, 3, 4, 2, 2"})
    void attentionAndItsGradientMatchTheCpu(int batch, int l, int s, int e, int ev) {
        SpiPair p = new SpiPair();
        float scale = (float) (1 / Math.sqrt(e));
        int qRow = e + 3;
        int qBatch = l * qRow + 2;
        int qLen = Math.max(1, batch * qBatch + 1);
        SpiPair.Views q = p.floats(SpiPair.random(1, qLen, 2f), new int[] {batch, l, e}, new int[] {qBatch, qRow, 1}, 1);
        SpiPair.Views k = p.floats(SpiPair.random(2, batch * s * e, 2f), new int[] {batch, s, e}, contiguous(batch, s, e), 0);
        SpiPair.Views v = p.floats(SpiPair.random(3, batch * s * ev, 1f), new int[] {batch, s, ev}, contiguous(batch, s, ev), 0);
        SpiPair.Views probs = p.zeros(DType.FLOAT32, batch * l * s, new int[] {batch, l, s}, contiguous(batch, l, s), 0);
        SpiPair.Views out = p.zeros(DType.FLOAT32, batch * l * ev, new int[] {batch, l, ev}, contiguous(batch, l, ev), 0);
        SpiPair.Views go = p.floats(SpiPair.random(4, batch * l * ev, 1f), new int[] {batch, l, ev},
                contiguous(batch, l, ev), 0);
        SpiPair.Views gq = p.zeros(DType.FLOAT32, batch * l * e, new int[] {batch, l, e}, contiguous(batch, l, e), 0);
        SpiPair.Views gk = p.zeros(DType.FLOAT32, batch * s * e, new int[] {batch, s, e}, contiguous(batch, s, e), 0);
        SpiPair.Views gv = p.zeros(DType.FLOAT32, batch * s * ev, new int[] {batch, s, ev}, contiguous(batch, s, ev), 0);
        for (int side = 0; side < 2; side++) {
            Backend b = side == 0 ? p.cpu : p.ocl;
            b.attention(q.on(side), k.on(side), v.on(side), scale, null, null, probs.on(side), out.on(side));
            b.attentionBackward(q.on(side), k.on(side), v.on(side), scale, null, probs.on(side), go.on(side), gq.on(side),
                    gk.on(side), gv.on(side));
        }
        float rel = 1e-4f;
        float abs = 1e-5f;
        float[][] r = p.storageFloats(probs);
        SpiPair.assertClose(r[0], r[1], rel, abs, "probs");
        r = p.storageFloats(out);
        SpiPair.assertClose(r[0], r[1], rel, abs, "out");
        r = p.storageFloats(gq);
        SpiPair.assertClose(r[0], r[1], rel, abs, "gq");
        r = p.storageFloats(gk);
        SpiPair.assertClose(r[0], r[1], rel, abs, "gk");
        r = p.storageFloats(gv);
        SpiPair.assertClose(r[0], r[1], rel, abs, "gv");
        p.ocl.synchronize();
    }
}
