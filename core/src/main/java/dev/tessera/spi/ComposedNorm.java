package dev.tessera.spi;

import dev.tessera.DType;

/**
 * The default layer-normalization kernels of {@link Backend}, composed from its primitives. Row
 * views are {@code [rows, n]} and contiguous; per-row statistics are {@code [rows]}; the affine
 * parameters are {@code [n]}.
 */
final class ComposedNorm {
    private ComposedNorm() {
    }

    private static View temp(Backend b, int... shape) {
        return new View(b.allocate(DType.FLOAT32, dev.tessera.Shape.numel(shape)), shape,
                dev.tessera.Shape.contiguousStrides(shape), 0);
    }

    /** A {@code [rows]} statistic seen as {@code [rows, n]}: each row repeats its value. */
    private static View perRow(View stat, int n) {
        return new View(stat.storage(), new int[] {stat.shape()[0], n}, new int[] {stat.strides()[0], 0}, stat.offset());
    }

    /** An {@code [n]} parameter seen as {@code [rows, n]}: every row is the parameter. */
    private static View perColumn(View param, int rows) {
        return new View(param.storage(), new int[] {rows, param.shape()[0]}, new int[] {0, param.strides()[0]},
                param.offset());
    }

    /** {@code out[r] = sum over j of x[r, j] / n} ({@code x} contiguous {@code [rows, n]}, {@code out} contiguous). */
    private static void rowMean(Backend b, View x, View out) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        b.reduce(ReduceOp.SUM, x.storage(), x.offset(), rows, n, 1, out.storage(), out.offset());
        b.unary(UnaryOp.MUL_SCALAR, 1f / n, out, out);
    }

    /** See {@link Backend#layerNorm}. */
    static void layerNorm(Backend b, View x, View weight, View bias, float eps, View out, View mean, View rstd) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        rowMean(b, x, mean);
        View centred = temp(b, rows, n);
        b.binary(BinaryOp.SUB, x, perRow(mean, n), centred);
        View squares = temp(b, rows, n);
        b.binary(BinaryOp.MUL, centred, centred, squares);
        rowMean(b, squares, rstd);
        b.unary(UnaryOp.ADD_SCALAR, eps, rstd, rstd);
        b.unary(UnaryOp.RSQRT, 0f, rstd, rstd);
        b.binary(BinaryOp.MUL, centred, perRow(rstd, n), out);
        if (weight != null) {
            b.binary(BinaryOp.MUL, out, perColumn(weight, rows), out);
        }
        if (bias != null) {
            b.binary(BinaryOp.ADD, out, perColumn(bias, rows), out);
        }
    }

    /** See {@link Backend#layerNormBackward}. */
    static void layerNormBackward(Backend b, View x, View weight, View mean, View rstd, View gradOut, View gradX,
                                  View gradWeight, View gradBias) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        View xhat = temp(b, rows, n);
        b.binary(BinaryOp.SUB, x, perRow(mean, n), xhat);
        b.binary(BinaryOp.MUL, xhat, perRow(rstd, n), xhat);
        View product = temp(b, rows, n);
        if (gradBias != null) {
            b.reduce(ReduceOp.SUM, gradOut.storage(), gradOut.offset(), 1, rows, n, gradBias.storage(), gradBias.offset());
        }
        if (gradWeight != null) {
            b.binary(BinaryOp.MUL, gradOut, xhat, product);
            b.reduce(ReduceOp.SUM, product.storage(), product.offset(), 1, rows, n, gradWeight.storage(),
                    gradWeight.offset());
        }
        if (gradX == null) {
            return;
        }
        // gradX = rstd (g - mean(g) - xhat mean(g xhat)), g = gradOut weight
        View g = gradOut;
        if (weight != null) {
            g = temp(b, rows, n);
            b.binary(BinaryOp.MUL, gradOut, perColumn(weight, rows), g);
        }
        View meanG = temp(b, rows);
        rowMean(b, g, meanG);
        b.binary(BinaryOp.MUL, g, xhat, product);
        View meanGx = temp(b, rows);
        rowMean(b, product, meanGx);
        b.binary(BinaryOp.MUL, xhat, perRow(meanGx, n), product);
        b.binary(BinaryOp.SUB, g, product, gradX);
        b.binary(BinaryOp.SUB, gradX, perRow(meanG, n), gradX);
        b.binary(BinaryOp.MUL, gradX, perRow(rstd, n), gradX);
    }
}
