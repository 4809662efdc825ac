package dev.tessera.cuda;

import dev.tessera.DType;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;

/** Helpers shared by the host sides of the fused kernels ({@link CudaConv}, {@link CudaPool}, ...). */
final class CudaFused {
    private CudaFused() {
    }

    /**
     * Returns {@code s} as a buffer of {@code b}.
     *
     * @throws IllegalArgumentException naming {@code op} when {@code s} belongs to another device
     */
    static CudaStorage buffer(CudaBackend b, Storage s, String op) {
        if (s instanceof CudaStorage o && b.owns(o)) {
            return o;
        }
        throw new IllegalArgumentException(op + ": storage " + s + " is not on " + b.device() + "; move the tensor with to("
                + b.device() + ")");
    }

    /** Returns the buffer behind {@code v}; see {@link #buffer(CudaBackend, Storage, String)}. */
    static CudaStorage buffer(CudaBackend b, View v, String op) {
        return buffer(b, v.storage(), op);
    }

    /** A new FLOAT32 buffer of {@code length} elements whose contents the caller writes before reading. */
    static CudaStorage scratch(CudaBackend b, long length, String op) {
        if (length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": a temporary of " + length + " floats is too large");
        }
        return b.allocateUninitialised(DType.FLOAT32, (int) length);
    }

    /** The {@code {offset, s0, s1, s2, s3}} struct of a four-dimensional (NCHW) view. */
    static int[] nchw(View v) {
        int[] s = v.strides();
        return new int[] {v.offset(), s[0], s[1], s[2], s[3]};
    }

    /** A contiguous view of {@code shape} on {@code s} from {@code offset}. */
    static View contiguous(Storage s, int offset, int... shape) {
        return new View(s, shape, dev.tessera.Shape.contiguousStrides(shape), offset);
    }

    /**
     * A {@code [batch, rows, cols]} matrix view for {@code matmul}; a one-row or one-column matrix
     * gets the strides matmul expects (the row stride of a row vector is its length).
     */
    static View matrix(Storage st, int offset, int batch, int batchStride, int rows, int cols, int rowStride, int colStride) {
        int rs = rowStride;
        int cs = colStride;
        if (cols == 1) {
            cs = 1;
        }
        if (rows == 1) {
            rs = cs == 1 ? cols : 1;
        }
        return new View(st, new int[] {batch, rows, cols}, new int[] {batchStride, rs, cs}, offset);
    }

    /** The matrices of a {@code [batch, rows, cols]} view, transposed, without a copy. */
    static View transposed(View x) {
        int[] s = x.shape();
        int[] st = x.strides();
        return new View(x.storage(), new int[] {s[0], s[2], s[1]}, new int[] {st[0], st[2], st[1]}, x.offset());
    }
}
