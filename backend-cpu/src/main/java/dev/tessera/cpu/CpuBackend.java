package dev.tessera.cpu;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.MemoryStats;
import dev.tessera.Shape;
import dev.tessera.spi.AdamSpec;
import dev.tessera.spi.AttentionDropout;
import dev.tessera.spi.Backend;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.MemoryLedger;
import dev.tessera.spi.ReduceOp;
import dev.tessera.spi.SgdSpec;
import dev.tessera.spi.Storage;
import dev.tessera.spi.UnaryOp;
import dev.tessera.spi.View;
import java.util.Arrays;

/**
 * The CPU backend: storage on the Java heap, elementwise and reduction kernels split over the
 * shared {@link CpuPool}, matrix products through {@link Gemm} (Java Vector API, or EJML when the
 * {@code jdk.incubator.vector} module is absent).
 */
public final class CpuBackend implements Backend {
    /** The single instance; the CPU is one device. */
    static final CpuBackend INSTANCE = new CpuBackend();
    /** Products at least this large are split by Gemm itself; smaller ones are spread over the batch instead. */
    private static final long LARGE_MATRIX_FLOPS = 2L * 128 * 128 * 128;

    /** Rows from this many floats are copied with System.arraycopy, shorter ones with vectors. */
    private static final int SHORT_ROW = 256;

    private CpuBackend() {
        // The JIT compiles the vector kernels while the application loads its data and builds its model.
        VectorWarmUp.start();
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public String describe() {
        return "cpu: " + CpuPool.parallelism() + " threads, matrix multiply via " + Gemm.implementation();
    }

    @Override
    public boolean owns(Storage storage) {
        return storage instanceof CpuStorage;
    }

    /**
     * Returns the storages that open memory scopes hold and their bytes (see {@link
     * MemoryLedger#heapStats()}), and as cached bytes the arrays of released storages kept for reuse
     * ({@link ArrayPool}); the garbage collector owns all other CPU memory.
     */
    @Override
    public MemoryStats memoryStats() {
        MemoryStats scoped = MemoryLedger.heapStats();
        return new MemoryStats(scoped.liveBuffers(), scoped.bytesInUse(), ArrayPool.bytes());
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        return dtype == DType.FLOAT32 ? CpuStorage.ofFloats(ArrayPool.zeros(length), true)
                : CpuStorage.ofInts(new int[length], true);
    }

    /** A pooled array as it was left (or a new one, zeroed by the JVM); INT32 storages are always new. */
    @Override
    public Storage allocateUninitialised(DType dtype, int length) {
        return dtype == DType.FLOAT32 ? CpuStorage.ofFloats(ArrayPool.uninitialised(length), true)
                : CpuStorage.ofInts(new int[length], true);
    }

    @Override
    public Storage upload(float[] data) {
        return CpuStorage.ofFloats(data.clone(), true);
    }

    @Override
    public Storage upload(int[] data) {
        return CpuStorage.ofInts(data.clone(), true);
    }

    @Override
    public float[] readFloats(View src) {
        float[] out = new float[src.numel()];
        copy(src, new View(CpuStorage.ofFloats(out, false), src.shape(), Shape.contiguousStrides(src.shape()), 0));
        return out;
    }

    @Override
    public int[] readInts(View src) {
        int[] out = new int[src.numel()];
        copy(src, new View(CpuStorage.ofInts(out, false), src.shape(), Shape.contiguousStrides(src.shape()), 0));
        return out;
    }

    @Override
    public void fill(View out, float value) {
        if (out.storage().dtype() == DType.INT32) {
            int[] o = CpuStorage.ints(out.storage());
            int v = (int) value;
            run2(out, out, (offs, st, n) -> {
                for (int i = 0; i < n; i++) {
                    o[offs[1] + i * st[1]] = v;
                }
            });
            return;
        }
        float[] o = CpuStorage.floats(out.storage());
        run2(out, out, (offs, st, n) -> {
            if (st[1] == 1) {
                Arrays.fill(o, offs[1], offs[1] + n, value);
            } else {
                for (int i = 0; i < n; i++) {
                    o[offs[1] + i * st[1]] = value;
                }
            }
        });
    }

    @Override
    public void copy(View src, View out) {
        DType from = src.storage().dtype();
        DType to = out.storage().dtype();
        if (from == DType.FLOAT32 && to == DType.FLOAT32) {
            float[] s = CpuStorage.floats(src.storage());
            float[] o = CpuStorage.floats(out.storage());
            run2(src, out, (offs, st, n) -> {
                if (st[0] == 1 && st[1] == 1) {
                    copyRow(s, offs[0], o, offs[1], n);
                } else {
                    for (int i = 0; i < n; i++) {
                        o[offs[1] + i * st[1]] = s[offs[0] + i * st[0]];
                    }
                }
            });
        } else if (from == DType.INT32 && to == DType.INT32) {
            int[] s = CpuStorage.ints(src.storage());
            int[] o = CpuStorage.ints(out.storage());
            run2(src, out, (offs, st, n) -> {
                for (int i = 0; i < n; i++) {
                    o[offs[1] + i * st[1]] = s[offs[0] + i * st[0]];
                }
            });
        } else if (from == DType.INT32) {
            int[] s = CpuStorage.ints(src.storage());
            float[] o = CpuStorage.floats(out.storage());
            run2(src, out, (offs, st, n) -> {
                for (int i = 0; i < n; i++) {
                    o[offs[1] + i * st[1]] = s[offs[0] + i * st[0]];
                }
            });
        } else {
            float[] s = CpuStorage.floats(src.storage());
            int[] o = CpuStorage.ints(out.storage());
            run2(src, out, (offs, st, n) -> {
                for (int i = 0; i < n; i++) {
                    o[offs[1] + i * st[1]] = (int) s[offs[0] + i * st[0]];
                }
            });
        }
    }

    private static void run2(View a, View out, StridedLoop.Row body) {
        StridedLoop.run(out.shape(), new int[][] {a.strides(), out.strides()}, new int[] {a.offset(), out.offset()}, body);
    }

    @Override
    public void unary(UnaryOp op, float param, View x, View out) {
        float[] xs = CpuStorage.floats(x.storage());
        float[] os = CpuStorage.floats(out.storage());
        run2(x, out, (offs, st, n) -> UnaryKernels.row(op, param, xs, offs[0], st[0], os, offs[1], st[1], n));
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out) {
        int[][] strides = {a.strides(), b.strides(), out.strides()};
        int[] offsets = {a.offset(), b.offset(), out.offset()};
        if (out.storage().dtype() == DType.INT32) {
            int[] as = CpuStorage.ints(a.storage());
            int[] bs = CpuStorage.ints(b.storage());
            int[] os = CpuStorage.ints(out.storage());
            StridedLoop.run(out.shape(), strides, offsets, (offs, st, n) -> {
                for (int i = 0; i < n; i++) {
                    os[offs[2] + i * st[2]] = BinaryKernels.applyInt(op, as[offs[0] + i * st[0]], bs[offs[1] + i * st[1]]);
                }
            });
            return;
        }
        float[] as = floatsOf(a);
        float[] bs = floatsOf(b);
        float[] os = CpuStorage.floats(out.storage());
        StridedLoop.run(out.shape(), strides, offsets,
                (offs, st, n) -> BinaryKernels.row(op, as, offs[0], st[0], bs, offs[1], st[1], os, offs[2], st[2], n));
    }

    /**
     * Copies a contiguous row. System.arraycopy costs tens of nanoseconds before it copies anything,
     * which dominated copies made of short rows (32 floats of one attention head: 125 ns a row);
     * rows that do not overlap and are short go through vectors instead.
     */
    private static void copyRow(float[] s, int so, float[] o, int oo, int n) {
        if (n >= SHORT_ROW || !Simd.ENABLED || (s == o && so < oo + n && oo < so + n)) {
            System.arraycopy(s, so, o, oo, n);
        } else {
            VectorUnary.copy(s, so, o, oo, n);
        }
    }

    /** The floats of a view's storage; an INT32 storage is converted whole, keeping its layout. */
    private static float[] floatsOf(View v) {
        if (v.storage().dtype() == DType.FLOAT32) {
            return CpuStorage.floats(v.storage());
        }
        int[] ints = CpuStorage.ints(v.storage());
        float[] f = new float[ints.length];
        for (int i = 0; i < ints.length; i++) {
            f[i] = ints[i];
        }
        return f;
    }

    @Override
    public void where(View cond, View a, View b, View out) {
        float[] cs = floatsOf(cond);
        float[] as = CpuStorage.floats(a.storage());
        float[] bs = CpuStorage.floats(b.storage());
        float[] os = CpuStorage.floats(out.storage());
        StridedLoop.run(out.shape(), new int[][] {cond.strides(), a.strides(), b.strides(), out.strides()},
                new int[] {cond.offset(), a.offset(), b.offset(), out.offset()}, (offs, st, n) -> {
                    for (int i = 0; i < n; i++) {
                        os[offs[3] + i * st[3]] = cs[offs[0] + i * st[0]] != 0f ? as[offs[1] + i * st[1]] : bs[offs[2] + i * st[2]];
                    }
                });
    }

    @Override
    public void reduce(ReduceOp op, Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset) {
        if (x.dtype() == DType.INT32) {
            ReduceKernels.reduceInts(op, CpuStorage.ints(x), xOffset, outer, n, inner, CpuStorage.ints(out), outOffset);
            return;
        }
        boolean intOut = out.dtype() == DType.INT32;
        ReduceKernels.reduce(op, CpuStorage.floats(x), xOffset, outer, n, inner,
                intOut ? null : CpuStorage.floats(out), intOut ? CpuStorage.ints(out) : null, outOffset);
    }

    @Override
    public void softmax(Storage x, int xOffset, int outer, int n, int inner, Storage out, int outOffset, boolean log) {
        ReduceKernels.softmax(CpuStorage.floats(x), xOffset, outer, n, inner, CpuStorage.floats(out), outOffset, log);
    }

    @Override
    public void attention(View q, View k, View v, float scale, View bias, AttentionDropout dropout, View probs,
                          View out) {
        AttentionKernels.forward(q, k, v, scale, bias, dropout, probs, out);
    }

    @Override
    public void attentionBackward(View q, View k, View v, float scale, AttentionDropout dropout, View probs,
                                  View gradOut, View gq, View gk, View gv) {
        AttentionKernels.backward(q, k, v, scale, dropout, probs, gradOut, gq, gk, gv);
    }

    @Override
    public void softmaxBackward(Storage y, int yOffset, Storage g, int gOffset, int outer, int n, int inner,
                                Storage gx, int gxOffset, boolean log) {
        ReduceKernels.softmaxBackward(CpuStorage.floats(y), yOffset, CpuStorage.floats(g), gOffset, outer, n, inner,
                CpuStorage.floats(gx), gxOffset, log);
    }

    @Override
    public void matmul(View a, View b, View c, boolean accumulate) {
        int batch = c.shape()[0];
        int m = c.shape()[1];
        int n = c.shape()[2];
        int k = a.shape()[2];
        if (batch == 0 || m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                fill(c, 0f); // an empty sum
            }
            return;
        }
        float[] as = CpuStorage.floats(a.storage());
        float[] bs = CpuStorage.floats(b.storage());
        float[] cs = CpuStorage.floats(c.storage());
        // Row-major when the column stride is 1, else column-major (core guarantees one of the two).
        boolean transA = a.strides()[2] != 1;
        boolean transB = b.strides()[2] != 1;
        int lda = transA ? a.strides()[2] : a.strides()[1];
        int ldb = transB ? b.strides()[2] : b.strides()[1];
        float beta = accumulate ? 1f : 0f;
        long flopsPerMatrix = 2L * m * n * k;
        if (batch == 1 || flopsPerMatrix >= LARGE_MATRIX_FLOPS) {
            // Large matrices: Gemm itself spreads each product over the pool.
            for (int i = 0; i < batch; i++) {
                Gemm.sgemm(transA, transB, m, n, k, 1f, as, a.offset() + i * a.strides()[0], lda,
                        bs, b.offset() + i * b.strides()[0], ldb, beta, cs, c.offset() + i * c.strides()[0], n);
            }
        } else {
            // Many small matrices (attention heads): one product per task.
            CpuPool.parallelFor(batch, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    Gemm.sgemm(transA, transB, m, n, k, 1f, as, a.offset() + i * a.strides()[0], lda,
                            bs, b.offset() + i * b.strides()[0], ldb, beta, cs, c.offset() + i * c.strides()[0], n);
                }
            });
        }
    }

    @Override
    public void axpy(View x, float alpha, View y) {
        float[] xs = CpuStorage.floats(x.storage());
        float[] ys = CpuStorage.floats(y.storage());
        run2(x, y, (offs, st, n) -> {
            int xo = offs[0];
            int yo = offs[1];
            if (st[0] == 1 && st[1] == 1 && Simd.ENABLED && !(xs == ys && xo != yo)) {
                VectorOptim.addScaled(ys, yo, xs, xo, alpha, 0, n);
            } else if (st[0] == 1 && st[1] == 1) {
                for (int i = 0; i < n; i++) {
                    ys[yo + i] += alpha * xs[xo + i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    ys[yo + i * st[1]] += alpha * xs[xo + i * st[0]];
                }
            }
        });
    }

    @Override
    public void fillUniform(View out, long state, float low, float high) {
        if (out.isContiguous()) {
            RandomKernels.uniform(CpuStorage.floats(out.storage()), out.offset(), out.numel(), state, low, high);
        } else {
            Backend.super.fillUniform(out, state, low, high);
        }
    }

    @Override
    public void fillDropoutMask(View out, long state, float p, float keep) {
        if (out.isContiguous()) {
            RandomKernels.dropoutMask(CpuStorage.floats(out.storage()), out.offset(), out.numel(), state, p, keep);
        } else {
            Backend.super.fillDropoutMask(out, state, p, keep);
        }
    }

    @Override
    public void dropout(View x, long state, float p, float keep, View out) {
        if (x.isContiguous() && out.isContiguous()) {
            RandomKernels.dropout(CpuStorage.floats(x.storage()), x.offset(), CpuStorage.floats(out.storage()),
                    out.offset(), x.numel(), state, p, keep);
        } else {
            Backend.super.dropout(x, state, p, keep, out);
        }
    }

    @Override
    public void adamUpdate(View param, View grad, View expAvg, View expAvgSq, AdamSpec spec) {
        if (param.isContiguous() && grad.isContiguous() && expAvg.isContiguous() && expAvgSq.isContiguous()) {
            OptimKernels.adam(CpuStorage.floats(param.storage()), param.offset(), CpuStorage.floats(grad.storage()),
                    grad.offset(), CpuStorage.floats(expAvg.storage()), expAvg.offset(), CpuStorage.floats(expAvgSq.storage()),
                    expAvgSq.offset(), param.numel(), spec);
        } else {
            Backend.super.adamUpdate(param, grad, expAvg, expAvgSq, spec);
        }
    }

    @Override
    public void sgdUpdate(View param, View grad, View buffer, SgdSpec spec) {
        if (param.isContiguous() && grad.isContiguous() && (buffer == null || buffer.isContiguous())) {
            OptimKernels.sgd(CpuStorage.floats(param.storage()), param.offset(), CpuStorage.floats(grad.storage()),
                    grad.offset(), buffer == null ? null : CpuStorage.floats(buffer.storage()),
                    buffer == null ? 0 : buffer.offset(), param.numel(), spec);
        } else {
            Backend.super.sgdUpdate(param, grad, buffer, spec);
        }
    }

    @Override
    public void layerNorm(View x, View weight, View bias, float eps, View out, View mean, View rstd) {
        if (x.isContiguous() && out.isContiguous() && unitStride(weight) && unitStride(bias)) {
            NormKernels.forward(CpuStorage.floats(x.storage()), x.offset(), x.shape()[0], x.shape()[1],
                    weight == null ? null : CpuStorage.floats(weight.storage()), weight == null ? 0 : weight.offset(),
                    bias == null ? null : CpuStorage.floats(bias.storage()), bias == null ? 0 : bias.offset(), eps,
                    CpuStorage.floats(out.storage()), out.offset(), CpuStorage.floats(mean.storage()), mean.offset(),
                    CpuStorage.floats(rstd.storage()), rstd.offset());
        } else {
            Backend.super.layerNorm(x, weight, bias, eps, out, mean, rstd);
        }
    }

    @Override
    public void layerNormBackward(View x, View weight, View mean, View rstd, View gradOut, View gradX,
                                  View gradWeight, View gradBias) {
        if (x.isContiguous() && gradOut.isContiguous() && unitStride(weight)) {
            NormKernels.backward(CpuStorage.floats(x.storage()), x.offset(), x.shape()[0], x.shape()[1],
                    weight == null ? null : CpuStorage.floats(weight.storage()), weight == null ? 0 : weight.offset(),
                    CpuStorage.floats(mean.storage()), mean.offset(), CpuStorage.floats(rstd.storage()), rstd.offset(),
                    CpuStorage.floats(gradOut.storage()), gradOut.offset(),
                    gradX == null ? null : CpuStorage.floats(gradX.storage()), gradX == null ? 0 : gradX.offset(),
                    gradWeight == null ? null : CpuStorage.floats(gradWeight.storage()),
                    gradWeight == null ? 0 : gradWeight.offset(),
                    gradBias == null ? null : CpuStorage.floats(gradBias.storage()), gradBias == null ? 0 : gradBias.offset());
        } else {
            Backend.super.layerNormBackward(x, weight, mean, rstd, gradOut, gradX, gradWeight, gradBias);
        }
    }

    /** Whether an optional {@code [n]} view is absent or has unit stride. */
    private static boolean unitStride(View v) {
        return v == null || v.shape()[0] <= 1 || v.strides()[0] == 1;
    }

    @Override
    public void lstmCell(View gates, View hh, View c, View act, View h, View cNext) {
        if (RecurrentKernels.unitInnerStride(gates, hh, c, act, h, cNext)) {
            RecurrentKernels.lstmCell(gates, hh, c, act, h, cNext);
        } else {
            Backend.super.lstmCell(gates, hh, c, act, h, cNext);
        }
    }

    @Override
    public void lstmCellBackward(View act, View c, View cNext, View gh, View gc, View gGates, View gC) {
        if (RecurrentKernels.unitInnerStride(act, c, cNext, gh, gc, gGates, gC)) {
            RecurrentKernels.lstmCellBackward(act, c, cNext, gh, gc, gGates, gC);
        } else {
            Backend.super.lstmCellBackward(act, c, cNext, gh, gc, gGates, gC);
        }
    }

    @Override
    public void gruCell(View xg, View hg, View h, View act, View hOut) {
        if (RecurrentKernels.unitInnerStride(xg, hg, h, act, hOut)) {
            RecurrentKernels.gruCell(xg, hg, h, act, hOut);
        } else {
            Backend.super.gruCell(xg, hg, h, act, hOut);
        }
    }

    @Override
    public void gruCellBackward(View act, View h, View gh, View gXg, View gHg, View gH) {
        if (RecurrentKernels.unitInnerStride(act, h, gh, gXg, gHg, gH)) {
            RecurrentKernels.gruCellBackward(act, h, gh, gXg, gHg, gH);
        } else {
            Backend.super.gruCellBackward(act, h, gh, gXg, gHg, gH);
        }
    }

    @Override
    public void gather(View x, int axis, View index, View out) {
        IndexKernels.gather(x, axis, index, out);
    }

    @Override
    public void scatterAdd(View src, int axis, View index, View out) {
        IndexKernels.scatterAdd(src, axis, index, out);
    }

    // ---------------------------------------------------------------- fused convolution and pooling (ConvKernels, PoolKernels)

    @Override
    public void im2col(View x, dev.tessera.spi.Conv2dSpec spec, View cols) {
        if (x.isContiguous() && cols.isContiguous()) {
            ConvKernels.im2col(x, spec, cols);
        } else {
            Backend.super.im2col(x, spec, cols);
        }
    }

    @Override
    public void col2im(View cols, dev.tessera.spi.Conv2dSpec spec, View x) {
        if (x.isContiguous() && cols.isContiguous()) {
            ConvKernels.col2im(cols, spec, x);
        } else {
            Backend.super.col2im(cols, spec, x);
        }
    }

    @Override
    public void conv2d(View x, View weight, View bias, dev.tessera.spi.Conv2dSpec spec, View out) {
        ConvKernels.conv2d(x, weight, bias, spec, out);
    }

    @Override
    public void conv2dBackwardInput(View gradOut, View weight, dev.tessera.spi.Conv2dSpec spec, View gradIn) {
        ConvKernels.backwardInput(gradOut, weight, spec, gradIn);
    }

    @Override
    public void conv2dBackwardWeight(View x, View gradOut, dev.tessera.spi.Conv2dSpec spec, View gradWeight) {
        ConvKernels.backwardWeight(x, gradOut, spec, gradWeight);
    }

    @Override
    public void maxPool2d(View x, dev.tessera.spi.Pool2dSpec spec, View out, View indices) {
        PoolKernels.maxPool2d(x, spec, out, indices);
    }

    @Override
    public void maxPool2dBackward(View gradOut, View indices, dev.tessera.spi.Pool2dSpec spec, View gradIn) {
        PoolKernels.maxPool2dBackward(gradOut, indices, spec, gradIn);
    }

    @Override
    public void avgPool2d(View x, dev.tessera.spi.Pool2dSpec spec, View out) {
        PoolKernels.avgPool2d(x, spec, out);
    }

    @Override
    public void avgPool2dBackward(View gradOut, dev.tessera.spi.Pool2dSpec spec, View gradIn) {
        PoolKernels.avgPool2dBackward(gradOut, spec, gradIn);
    }
}
