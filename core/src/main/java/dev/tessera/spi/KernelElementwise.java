package dev.tessera.spi;

import dev.tessera.DType;
import dev.tessera.Shape;

/**
 * The elementwise primitives on a device of a {@link KernelBackend} (elementwise.c): one strided
 * launch each over the output's shape, every operand read and written through its own strides
 * and offset ({@link KernelLayout}); INT32 operands are flagged so that one kernel serves both
 * dtypes.
 */
final class KernelElementwise {
    static final String FILE = "elementwise.c";

    private KernelElementwise() {
    }

    /** See {@link Backend#fill}: writes {@code value} into {@code out}. */
    static void fill(KernelBackend<?> b, View out, float value) {
        b.kernels().launchStrided(FILE, "fill", out.shape(), KernelLayout.strides(out), KernelLayout.offsets(out),
                b.storage(out.storage()), isInt(out.storage()), value, (int) value);
    }

    /** See {@link Backend#copy}: writes {@code out}, converting the dtype where they differ. */
    static void copy(KernelBackend<?> b, View src, View out) {
        b.kernels().launchStrided(FILE, "copy", out.shape(), KernelLayout.strides(src, out), KernelLayout.offsets(src, out),
                b.storage(src.storage()), isInt(src.storage()), b.storage(out.storage()), isInt(out.storage()));
    }

    /**
     * Copies {@code src} (any strides, either dtype) into {@code to} from element 0, contiguous, as
     * {@code to}'s dtype: the copy behind strided reads and device-to-device moves.
     */
    static void copyContiguous(KernelBackend<?> b, View src, KernelStorage from, KernelStorage to) {
        int[] shape = src.shape();
        b.kernels().launchStrided(FILE, "copy", shape, new int[][] {src.strides(), Shape.contiguousStrides(shape)},
                new int[] {src.offset(), 0}, from, isInt(from), to, isInt(to));
    }

    /** See {@link Backend#unary}: writes {@code out = op(x, param)}. */
    static void unary(KernelBackend<?> b, UnaryOp op, float param, View x, View out) {
        b.kernels().launchStrided(FILE, "unary", out.shape(), KernelLayout.strides(x, out), KernelLayout.offsets(x, out),
                op.ordinal(), param, b.storage(x.storage()), b.storage(out.storage()));
    }

    /** See {@link Backend#binary}: writes {@code out = op(a, b)}, with integer arithmetic when {@code out} is INT32. */
    static void binary(KernelBackend<?> b, BinaryOp op, View x, View y, View out) {
        int[][] strides = KernelLayout.strides(x, y, out);
        int[] offsets = KernelLayout.offsets(x, y, out);
        if (out.storage().dtype() == DType.INT32) {
            b.kernels().launchStrided(FILE, "binary_int", out.shape(), strides, offsets, op.ordinal(),
                    b.storage(x.storage()), b.storage(y.storage()), b.storage(out.storage()));
        } else {
            b.kernels().launchStrided(FILE, "binary", out.shape(), strides, offsets, op.ordinal(),
                    b.storage(x.storage()), isInt(x.storage()), b.storage(y.storage()), isInt(y.storage()),
                    b.storage(out.storage()));
        }
    }

    /** See {@link Backend#where}: writes {@code out = cond != 0 ? x : y}. */
    static void where(KernelBackend<?> b, View cond, View x, View y, View out) {
        b.kernels().launchStrided(FILE, "where_select", out.shape(), KernelLayout.strides(cond, x, y, out),
                KernelLayout.offsets(cond, x, y, out), b.storage(cond.storage()), isInt(cond.storage()),
                b.storage(x.storage()), b.storage(y.storage()), b.storage(out.storage()));
    }

    /** The kernels' dtype flag of {@code s}: 1 for INT32, 0 for FLOAT32. */
    static int isInt(Storage s) {
        return s.dtype() == DType.INT32 ? 1 : 0;
    }
}
