package dev.tessera.spi;

import dev.tessera.ConstantCache;
import dev.tessera.DType;

/**
 * The default implementations of {@link Backend}'s convolution primitives, composed from the
 * required primitives only, so they run on any backend: im2col is a {@link Backend#gather} from a
 * zero-padded copy of the input through an index table (uploaded once per backend and geometry and
 * cached, see {@link #TABLES}), col2im the matching
 * {@link Backend#scatterAdd}, and the convolution itself im2col followed by batched {@link
 * Backend#matmul}s, one per group. The batch is processed in chunks whose unfolded input holds at
 * most {@link #COLUMN_BUDGET} floats, so memory stays bounded for large batches.
 *
 * <p>All views are NCHW and contiguous (core passes them so); outputs are written as the
 * primitives' documentation says.
 */
final class ComposedConv {
    /** Floats of unfolded input materialised at once (64 MiB); at least one image is unfolded. */
    static final long COLUMN_BUDGET = 16L << 20;

    /**
     * The uploaded im2col tables, per backend and geometry (the batch does not change a table); the
     * tables are read-only.
     */
    static final ConstantCache<TableKey, Storage> TABLES = new ConstantCache<>("conv2d index tables");

    /** A cache key: the backend (by identity) and a geometry with the batch set to 1. */
    record TableKey(Backend backend, Object geometry) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TableKey k && k.backend == backend && k.geometry.equals(geometry);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(backend) * 31 + geometry.hashCode();
        }
    }

    private ComposedConv() {
    }

    /** The im2col table of {@code s} on {@code b}, uploaded on first use and cached. */
    static Storage uploadedTable(Backend b, Conv2dSpec s) {
        return TABLES.get(new TableKey(b, s.withBatch(1)), k -> b.upload(table(s)));
    }

    /** Images per chunk so that the unfolded chunk fits the budget. */
    static int chunk(Conv2dSpec s) {
        long perImage = (long) s.colRows() * s.colCols();
        return (int) Math.max(1, Math.min(s.batch(), COLUMN_BUDGET / Math.max(1, perImage)));
    }

    /**
     * The im2col index table {@code [kernelH * kernelW, outH * outW]}: flat input position {@code iy
     * * W + ix} of each tap, or {@code H * W} (a zero slot) where the tap lies in the padding.
     */
    static int[] table(Conv2dSpec s) {
        int oh = s.outH();
        int ow = s.outW();
        int h = s.height();
        int w = s.width();
        int[] t = new int[s.kernelSize() * oh * ow];
        int i = 0;
        for (int ky = 0; ky < s.kernelH(); ky++) {
            for (int kx = 0; kx < s.kernelW(); kx++) {
                for (int oy = 0; oy < oh; oy++) {
                    int iy = oy * s.strideH() - s.padH() + ky * s.dilationH();
                    for (int ox = 0; ox < ow; ox++) {
                        int ix = ox * s.strideW() - s.padW() + kx * s.dilationW();
                        t[i++] = iy >= 0 && iy < h && ix >= 0 && ix < w ? iy * w + ix : h * w;
                    }
                }
            }
        }
        return t;
    }

    /** A zero storage {@code [N*C, H*W + 1]} viewed as NCHW (the last column of each plane stays 0). */
    private static View paddedPlanes(Storage st, Conv2dSpec s) {
        int hw1 = s.height() * s.width() + 1;
        return new View(st, new int[] {s.batch(), s.inChannels(), s.height(), s.width()},
                new int[] {s.inChannels() * hw1, hw1, s.width(), 1}, 0);
    }

    static void im2col(Backend b, View x, Conv2dSpec s, View cols) {
        int nc = s.batch() * s.inChannels();
        int hw1 = s.height() * s.width() + 1;
        int row = s.kernelSize() * s.colCols();
        Storage padded = b.allocate(DType.FLOAT32, nc * hw1);
        b.copy(x, paddedPlanes(padded, s));
        Storage index = uploadedTable(b, s);
        b.gather(new View(padded, new int[] {nc, hw1}, new int[] {hw1, 1}, 0), 1,
                new View(index, new int[] {nc, row}, new int[] {0, 1}, 0),
                new View(cols.storage(), new int[] {nc, row}, new int[] {row, 1}, cols.offset()));
    }

    static void col2im(Backend b, View cols, Conv2dSpec s, View x) {
        int nc = s.batch() * s.inChannels();
        int hw1 = s.height() * s.width() + 1;
        int row = s.kernelSize() * s.colCols();
        Storage padded = b.allocate(DType.FLOAT32, nc * hw1);
        Storage index = uploadedTable(b, s);
        b.scatterAdd(new View(cols.storage(), new int[] {nc, row}, new int[] {row, 1}, cols.offset()), 1,
                new View(index, new int[] {nc, row}, new int[] {0, 1}, 0),
                new View(padded, new int[] {nc, hw1}, new int[] {hw1, 1}, 0));
        b.binary(BinaryOp.ADD, x, paddedPlanes(padded, s), x);
    }

    /** Images {@code [n0, n0 + nb)} of a contiguous NCHW-like view whose image has {@code perImage} elements. */
    private static View images(View v, int n0, int nb, int perImage) {
        int[] shape = v.shape().clone();
        shape[0] = nb;
        return new View(v.storage(), shape, v.strides(), v.offset() + n0 * perImage);
    }

    static void conv2d(Backend b, View x, View weight, View bias, Conv2dSpec s, View out) {
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int rows = s.colRows();
        int step = chunk(s);
        for (int n0 = 0; n0 < s.batch(); n0 += step) {
            int nb = Math.min(step, s.batch() - n0);
            Conv2dSpec cs = s.withBatch(nb);
            Storage cols = b.allocate(DType.FLOAT32, nb * rows * l);
            im2col(b, images(x, n0, nb, s.inChannels() * s.height() * s.width()), cs, new View(cols,
                    new int[] {nb, rows, l}, new int[] {rows * l, l, 1}, 0));
            View outChunk = images(out, n0, nb, oc * l);
            for (int g = 0; g < s.groups(); g++) {
                View a = KernelViews.matrix(weight.storage(), weight.offset() + g * ocg * kg, nb, 0, ocg, kg, kg, 1);
                View bm = KernelViews.matrix(cols, g * kg * l, nb, rows * l, kg, l, l, 1);
                if (s.groups() == 1) {
                    b.matmul(a, bm, new View(out.storage(), new int[] {nb, ocg, l}, new int[] {ocg * l, l, 1},
                            outChunk.offset()), false);
                } else {
                    Storage tmp = b.allocate(DType.FLOAT32, nb * ocg * l);
                    View tv = new View(tmp, new int[] {nb, ocg, l}, new int[] {ocg * l, l, 1}, 0);
                    b.matmul(a, bm, tv, false);
                    b.copy(tv, new View(out.storage(), new int[] {nb, ocg, l}, new int[] {oc * l, l, 1},
                            outChunk.offset() + g * ocg * l));
                }
            }
            if (bias != null) {
                View o3 = new View(out.storage(), new int[] {nb, oc, l}, new int[] {oc * l, l, 1}, outChunk.offset());
                View b3 = new View(bias.storage(), new int[] {nb, oc, l}, new int[] {0, bias.strides()[0], 0}, bias.offset());
                b.binary(BinaryOp.ADD, o3, b3, o3);
            }
        }
    }

    static void backwardInput(Backend b, View gradOut, View weight, Conv2dSpec s, View gradIn) {
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int rows = s.colRows();
        int step = chunk(s);
        for (int n0 = 0; n0 < s.batch(); n0 += step) {
            int nb = Math.min(step, s.batch() - n0);
            Storage cols = b.allocate(DType.FLOAT32, nb * rows * l);
            int gOff = gradOut.offset() + n0 * oc * l;
            for (int g = 0; g < s.groups(); g++) {
                // cols_g = W_g^T x dY_g: the weight block seen column-major.
                View a = KernelViews.matrix(weight.storage(), weight.offset() + g * ocg * kg, nb, 0, kg, ocg, 1, kg);
                View bm = KernelViews.matrix(gradOut.storage(), gOff + g * ocg * l, nb, oc * l, ocg, l, l, 1);
                if (s.groups() == 1) {
                    b.matmul(a, bm, new View(cols, new int[] {nb, kg, l}, new int[] {kg * l, l, 1}, 0), false);
                } else {
                    Storage tmp = b.allocate(DType.FLOAT32, nb * kg * l);
                    View tv = new View(tmp, new int[] {nb, kg, l}, new int[] {kg * l, l, 1}, 0);
                    b.matmul(a, bm, tv, false);
                    b.copy(tv, new View(cols, new int[] {nb, kg, l}, new int[] {rows * l, l, 1}, g * kg * l));
                }
            }
            col2im(b, new View(cols, new int[] {nb, rows, l}, new int[] {rows * l, l, 1}, 0), s.withBatch(nb),
                    images(gradIn, n0, nb, s.inChannels() * s.height() * s.width()));
        }
    }

    static void backwardWeight(Backend b, View x, View gradOut, Conv2dSpec s, View gradWeight) {
        int oc = s.outChannels();
        int ocg = s.outPerGroup();
        int kg = s.inPerGroup() * s.kernelSize();
        int l = s.colCols();
        int rows = s.colRows();
        int step = chunk(s);
        for (int n0 = 0; n0 < s.batch(); n0 += step) {
            int nb = Math.min(step, s.batch() - n0);
            Storage cols = b.allocate(DType.FLOAT32, nb * rows * l);
            im2col(b, images(x, n0, nb, s.inChannels() * s.height() * s.width()), s.withBatch(nb), new View(cols,
                    new int[] {nb, rows, l}, new int[] {rows * l, l, 1}, 0));
            int gOff = gradOut.offset() + n0 * oc * l;
            for (int g = 0; g < s.groups(); g++) {
                // dW_g += sum over the chunk's images of dY_g x cols_g^T.
                View a = KernelViews.matrix(gradOut.storage(), gOff + g * ocg * l, nb, oc * l, ocg, l, l, 1);
                View bm = KernelViews.matrix(cols, g * kg * l, nb, rows * l, l, kg, 1, l);
                Storage tmp = b.allocate(DType.FLOAT32, nb * ocg * kg);
                b.matmul(a, bm, new View(tmp, new int[] {nb, ocg, kg}, new int[] {ocg * kg, kg, 1}, 0), false);
                Storage sum = b.allocate(DType.FLOAT32, ocg * kg);
                b.reduce(ReduceOp.SUM, tmp, 0, 1, nb, ocg * kg, sum, 0);
                View gw = new View(gradWeight.storage(), new int[] {ocg * kg}, new int[] {1}, gradWeight.offset() + g * ocg * kg);
                b.binary(BinaryOp.ADD, gw, new View(sum, new int[] {ocg * kg}, new int[] {1}, 0), gw);
            }
        }
    }
}
