package dev.tessera.cpu;

import dev.tessera.spi.AttentionDropout;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.View;

/**
 * Scaled dot-product attention on the CPU ({@link CpuBackend#attention}): the problems of a batch
 * are spread over {@link CpuPool}, and each runs start to finish on one thread: its scores are
 * multiplied, normalised and multiplied again while they are in that core's cache, rather than
 * each step passing the whole batch of scores through memory.
 */
final class AttentionKernels {
    private AttentionKernels() {
    }

    /**
     * One {@code [lead..., rows, cols]} operand: its storage, where each problem's matrix starts
     * (problems in row-major order of the leading dimensions, each with its own stride), the row
     * stride and the column stride (1 but for a bias, which may broadcast with 0).
     */
    private record Matrices(float[] data, int[] starts, int rowStride, int colStride) {
        static Matrices of(View v) {
            int[] shape = v.shape();
            int[] strides = v.strides();
            int lead = shape.length - 2;
            int batch = 1;
            for (int i = 0; i < lead; i++) {
                batch *= shape[i];
            }
            int[] starts = new int[batch];
            int[] index = new int[lead];
            int at = v.offset();
            for (int b = 0; b < batch; b++) {
                starts[b] = at;
                for (int i = lead - 1; i >= 0; i--) { // the next problem: an odometer over the leading dimensions
                    if (++index[i] < shape[i]) {
                        at += strides[i];
                        break;
                    }
                    index[i] = 0;
                    at -= (shape[i] - 1) * strides[i];
                }
            }
            return new Matrices(CpuStorage.floats(v.storage()), starts, strides[lead], strides[lead + 1]);
        }

        int at(int b) {
            return starts[b];
        }
    }

    /** See {@link dev.tessera.spi.Backend#attention}. */
    static void forward(View q, View k, View v, float scale, View bias, AttentionDropout dropout, View probs,
                        View out) {
        int r = q.dim();
        int l = q.shape()[r - 2];
        int e = q.shape()[r - 1];
        int s = k.shape()[r - 2];
        int ev = v.shape()[r - 1];
        Matrices qm = Matrices.of(q);
        int batch = qm.starts.length;
        Matrices km = Matrices.of(k);
        Matrices vm = Matrices.of(v);
        Matrices om = Matrices.of(out);
        Matrices bm = bias == null ? null : Matrices.of(bias);
        float[] p = CpuStorage.floats(probs.storage());
        int p0 = probs.offset();
        CpuPool.parallelFor(batch, 1, (from, to) -> {
            float[] dropped = dropout == null ? null : new float[l * s]; // one problem's dropped probabilities
            for (int b = from; b < to; b++) {
                int pb = p0 + b * l * s;
                Gemm.sgemm(false, true, l, s, e, scale, qm.data, qm.at(b), qm.rowStride,
                        km.data, km.at(b), km.rowStride, 0f, p, pb, s);
                if (bm != null) {
                    for (int i = 0; i < l; i++) {
                        BinaryKernels.row(BinaryOp.ADD, p, pb + i * s, 1, bm.data, bm.at(b) + i * bm.rowStride,
                                bm.colStride, p, pb + i * s, 1, s);
                    }
                }
                ReduceKernels.softmax(p, pb, l, s, 1, p, pb, false);
                float[] a = p;
                int ao = pb;
                if (dropout != null) {
                    mask(dropout, b, l * s, dropped);
                    BinaryKernels.row(BinaryOp.MUL, dropped, 0, 1, p, pb, 1, dropped, 0, 1, l * s);
                    a = dropped;
                    ao = 0;
                }
                Gemm.sgemm(false, false, l, ev, s, 1f, a, ao, s, vm.data, vm.at(b), vm.rowStride, 0f, om.data, om.at(b),
                        om.rowStride);
            }
        });
    }

    /** See {@link dev.tessera.spi.Backend#attentionBackward}. */
    static void backward(View q, View k, View v, float scale, AttentionDropout dropout, View probs, View gradOut,
                         View gq, View gk, View gv) {
        int r = q.dim();
        int l = q.shape()[r - 2];
        int e = q.shape()[r - 1];
        int s = k.shape()[r - 2];
        int ev = v.shape()[r - 1];
        Matrices qm = Matrices.of(q);
        int batch = qm.starts.length;
        Matrices km = Matrices.of(k);
        Matrices vm = Matrices.of(v);
        Matrices gom = Matrices.of(gradOut);
        Matrices gqm = Matrices.of(gq);
        Matrices gkm = Matrices.of(gk);
        Matrices gvm = Matrices.of(gv);
        float[] p = CpuStorage.floats(probs.storage());
        int p0 = probs.offset();
        CpuPool.parallelFor(batch, 1, (from, to) -> {
            float[] ds = new float[l * s]; // gradient of the scores of one problem, reused across the chunk
            float[] dropped = dropout == null ? null : new float[l * s]; // its mask, then its dropped probabilities
            for (int b = from; b < to; b++) {
                int pb = p0 + b * l * s;
                // dP = M (dO V^T); gv = (P M)^T dO; dS = softmax'(P) dP; gq = scale dS K; gk = scale dS^T Q
                Gemm.sgemm(false, true, l, s, ev, 1f, gom.data, gom.at(b), gom.rowStride, vm.data, vm.at(b), vm.rowStride,
                        0f, ds, 0, s);
                float[] a = p;
                int ao = pb;
                if (dropout != null) {
                    mask(dropout, b, l * s, dropped);
                    BinaryKernels.row(BinaryOp.MUL, ds, 0, 1, dropped, 0, 1, ds, 0, 1, l * s);
                    BinaryKernels.row(BinaryOp.MUL, dropped, 0, 1, p, pb, 1, dropped, 0, 1, l * s);
                    a = dropped;
                    ao = 0;
                }
                Gemm.sgemm(true, false, s, ev, l, 1f, a, ao, s, gom.data, gom.at(b), gom.rowStride, 0f,
                        gvm.data, gvm.at(b), gvm.rowStride);
                ReduceKernels.softmaxBackward(p, pb, ds, 0, l, s, 1, ds, 0, false);
                Gemm.sgemm(false, false, l, e, s, scale, ds, 0, s, km.data, km.at(b), km.rowStride, 0f,
                        gqm.data, gqm.at(b), gqm.rowStride);
                Gemm.sgemm(true, false, s, e, l, scale, ds, 0, s, qm.data, qm.at(b), qm.rowStride, 0f,
                        gkm.data, gkm.at(b), gkm.rowStride);
            }
        });
    }

    /** Writes the dropout factors of problem {@code b} (elements {@code [b n, (b + 1) n)} of the draw) to {@code out[0, n)}. */
    private static void mask(AttentionDropout dropout, int b, int n, float[] out) {
        AttentionDropout part = dropout.from((long) b * n);
        RandomKernels.dropoutMask(out, 0, 0, n, part.state(), part.p(), part.keep());
    }
}
