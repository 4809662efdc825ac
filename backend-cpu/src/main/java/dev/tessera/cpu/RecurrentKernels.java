package dev.tessera.cpu;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.UnaryOp;
import dev.tessera.spi.View;
import java.util.Arrays;

/**
 * The LSTM and GRU cell kernels of {@link CpuBackend}: the float operations of the SPI's composed default,
 * in the same order and through the same row kernels (so the same bits), but run piece by piece:
 * a piece is a run of up to {@link #CHUNK} elements of every operand (whole rows of a narrow
 * state, or part of one wide row), gathered into a compact thread-local panel, computed there
 * while it is in the first-level cache, and scattered back. A step of a sequence layer is a
 * {@code [H, B]} column block with rows far apart; gathering its short rows turns hundreds of tiny
 * kernel calls per operation into a few long ones. Pieces run in parallel on the pool. Gate views
 * are {@code [G, R, C]}, state views {@code [R, C]}, all with unit stride along C.
 */
final class RecurrentKernels {
    /** Elements per piece: the sixteen panels of a backward piece take 32 KiB. */
    static final int CHUNK = 512;
    /** Fewer elements than this per thread are not worth sharing. */
    private static final int GRAIN = 4096;
    private static final ThreadLocal<float[]> PANELS = ThreadLocal.withInitial(() -> new float[16 * CHUNK]);

    private RecurrentKernels() {
    }

    /** Returns true when every given view (nulls skipped) has unit stride along its last dimension. */
    static boolean unitInnerStride(View... views) {
        for (View v : views) {
            if (v != null && v.shape()[v.dim() - 1] > 1 && v.strides()[v.dim() - 1] != 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * How an {@code [R, C]} problem splits: narrow rows ({@code C <= CHUNK}) go {@code rowsPer} to
     * a piece; a wide row is cut into pieces of {@code CHUNK} columns.
     */
    private record Pieces(int rows, int cols) {
        int rowsPer() {
            return cols >= CHUNK ? 1 : Math.max(1, CHUNK / Math.max(1, cols));
        }

        int chunksPerRow() {
            return cols >= CHUNK ? (cols + CHUNK - 1) / CHUNK : 1;
        }

        int count() {
            return cols == 0 ? 0 : (rows + rowsPer() - 1) / rowsPer() * chunksPerRow();
        }

        int grain() {
            return Math.max(1, GRAIN / CHUNK);
        }
    }

    /** One piece: rows {@code r0 .. r0 + rows - 1}, columns {@code j0 .. j0 + n - 1}; {@code size = rows * n}. */
    private record Piece(int r0, int rows, int j0, int n) {
        static Piece of(Pieces p, int index) {
            int chunk = index % p.chunksPerRow();
            int r0 = index / p.chunksPerRow() * p.rowsPer();
            int j0 = chunk * CHUNK;
            return new Piece(r0, Math.min(p.rowsPer(), p.rows() - r0), j0, Math.min(p.cols() - j0, CHUNK));
        }

        int size() {
            return rows * n;
        }

        /** Copies the piece of gate {@code k} of {@code v} (or of state view {@code v}) into {@code panel[at..]}. */
        void gather(View v, int k, float[] panel, int at) {
            float[] src = CpuStorage.floats(v.storage());
            if (inOnePiece(v)) {
                System.arraycopy(src, offset(v, k, r0, j0), panel, at, rows * n);
                return;
            }
            for (int r = 0; r < rows; r++) {
                System.arraycopy(src, offset(v, k, r0 + r, j0), panel, at + r * n, n);
            }
        }

        /** Copies {@code panel[at..]} back into the piece of gate {@code k} of {@code v}. */
        void scatter(float[] panel, int at, View v, int k) {
            float[] dst = CpuStorage.floats(v.storage());
            if (inOnePiece(v)) {
                System.arraycopy(panel, at, dst, offset(v, k, r0, j0), rows * n);
                return;
            }
            for (int r = 0; r < rows; r++) {
                System.arraycopy(panel, at + r * n, dst, offset(v, k, r0 + r, j0), n);
            }
        }

        /**
         * Whether the piece's rows lie end to end in {@code v}: one copy then moves them all, where a
         * row of a small batch is only 32 floats and each copy's own cost dominates.
         */
        private boolean inOnePiece(View v) {
            return rows == 1 || v.strides()[v.dim() - 2] == n;
        }
    }

    /** The offset of element {@code (r, j)} of gate {@code k} ({@code k} ignored for state views). */
    private static int offset(View v, int k, int r, int j) {
        int[] st = v.strides();
        return v.dim() == 3 ? v.offset() + k * st[0] + r * st[1] + j : v.offset() + r * st[0] + j;
    }

    /** What a kernel does with one piece, on the calling thread's panels {@code s}. */
    @FunctionalInterface
    private interface PieceBody {
        void run(Piece piece, float[] s);
    }

    /**
     * Runs {@code body} on every piece of the {@code [R, C]} problem of the gate view {@code act}
     * ({@code [G, R, C]}), pieces in parallel on the pool.
     */
    private static void forEachPiece(View act, PieceBody body) {
        Pieces p = new Pieces(act.shape()[1], act.shape()[2]);
        CpuPool.parallelFor(p.count(), p.grain(), (from, to) -> {
            float[] s = PANELS.get();
            for (int index = from; index < to; index++) {
                body.run(Piece.of(p, index), s);
            }
        });
    }

    /** See {@link dev.tessera.spi.Backend#lstmCell}; the views have unit inner stride. */
    static void lstmCell(View gates, View hh, View c, View act, View h, View cNext) {
        forEachPiece(act, (piece, s) -> {
            int n = piece.size();
            // Panels of n elements: i, f, o, g (the sigmoids side by side: one call), then the
            // hidden side in the same order, c, h and c'.
            int i = 0;
            int f = n;
            int o = 2 * n;
            int g = 3 * n;
            int cp = 8 * n;
            int hp = 9 * n;
            int cn = 10 * n;
            int[] at = {i, f, g, o};
            for (int k = 0; k < 4; k++) {
                piece.gather(gates, k, s, at[k]);
                if (hh != null) {
                    piece.gather(hh, k, s, 4 * n + at[k]);
                    binary(BinaryOp.ADD, s, at[k], s, 4 * n + at[k], s, at[k], n);
                }
            }
            sigmoid(s, i, 3 * n);
            tanh(s, g, s, g, n);
            binary(BinaryOp.MUL, s, i, s, g, s, cn, n);
            if (c != null) {
                piece.gather(c, 0, s, cp);
                binary(BinaryOp.MUL, s, f, s, cp, s, hp, n);
                binary(BinaryOp.ADD, s, hp, s, cn, s, cn, n);
            }
            tanh(s, cn, s, hp, n);
            binary(BinaryOp.MUL, s, o, s, hp, s, hp, n);
            for (int k = 0; k < 4; k++) {
                piece.scatter(s, at[k], act, k);
            }
            piece.scatter(s, hp, h, 0);
            piece.scatter(s, cn, cNext, 0);
        });
    }

    /** See {@link dev.tessera.spi.Backend#lstmCellBackward}; the views have unit inner stride. */
    static void lstmCellBackward(View act, View c, View cNext, View gh, View gc, View gGates, View gC) {
        forEachPiece(act, (piece, s) -> {
            // Panels (times CHUNK): activated gates 0..3, their gradients 4..7, c 8, c' 9,
            // gh 10, gc 11, tanh(c') 12, scratch 13, dc 14, gradient of c 15.
            int i = 0;
            int f = CHUNK;
            int g = 2 * CHUNK;
            int o = 3 * CHUNK;
            int gi = 4 * CHUNK;
            int gf = 5 * CHUNK;
            int gg = 6 * CHUNK;
            int go = 7 * CHUNK;
            int cp = 8 * CHUNK;
            int cn = 9 * CHUNK;
            int ghp = 10 * CHUNK;
            int gcp = 11 * CHUNK;
            int tc = 12 * CHUNK;
            int u = 13 * CHUNK;
            int dc = 14 * CHUNK;
            int gcOut = 15 * CHUNK;
            int n = piece.size();
            for (int k = 0; k < 4; k++) {
                piece.gather(act, k, s, k * CHUNK);
            }
            piece.gather(cNext, 0, s, cn);
            piece.gather(gh, 0, s, ghp);
            piece.gather(gc, 0, s, gcp);
            unary(UnaryOp.TANH, 0f, s, cn, s, tc, n);
            binary(BinaryOp.MUL, s, tc, s, tc, s, u, n);
            unary(UnaryOp.RSUB_SCALAR, 1f, s, u, s, u, n);
            binary(BinaryOp.MUL, s, u, s, o, s, u, n);
            binary(BinaryOp.MUL, s, u, s, ghp, s, u, n);
            binary(BinaryOp.ADD, s, gcp, s, u, s, dc, n);
            sigmoidDerivative(s, o, u, n);
            binary(BinaryOp.MUL, s, ghp, s, tc, s, go, n);
            binary(BinaryOp.MUL, s, go, s, u, s, go, n);
            sigmoidDerivative(s, i, u, n);
            binary(BinaryOp.MUL, s, dc, s, g, s, gi, n);
            binary(BinaryOp.MUL, s, gi, s, u, s, gi, n);
            binary(BinaryOp.MUL, s, g, s, g, s, u, n);
            unary(UnaryOp.RSUB_SCALAR, 1f, s, u, s, u, n);
            binary(BinaryOp.MUL, s, dc, s, i, s, gg, n);
            binary(BinaryOp.MUL, s, gg, s, u, s, gg, n);
            if (c != null) {
                piece.gather(c, 0, s, cp);
                sigmoidDerivative(s, f, u, n);
                binary(BinaryOp.MUL, s, dc, s, cp, s, gf, n);
                binary(BinaryOp.MUL, s, gf, s, u, s, gf, n);
            } else {
                Arrays.fill(s, gf, gf + n, 0f);
            }
            for (int k = 0; k < 4; k++) {
                piece.scatter(s, (4 + k) * CHUNK, gGates, k);
            }
            if (gC != null) {
                binary(BinaryOp.MUL, s, dc, s, f, s, gcOut, n);
                piece.scatter(s, gcOut, gC, 0);
            }
        });
    }

    /** See {@link dev.tessera.spi.Backend#gruCell}; the views have unit inner stride. */
    static void gruCell(View xg, View hg, View h, View act, View hOut) {
        forEachPiece(act, (piece, s) -> {
            int n = piece.size();
            // Panels of n elements: act r, z (side by side: one sigmoid call), n, hn; input
            // side r, z, n; hidden side r, z, n; h; h'.
            int r = 0;
            int z = n;
            int nn = 2 * n;
            int hn = 3 * n;
            int x0 = 4 * n;
            int h0 = 7 * n;
            int hp = 10 * n;
            int out = 11 * n;
            for (int k = 0; k < 3; k++) {
                piece.gather(xg, k, s, x0 + k * n);
                if (hg != null) {
                    piece.gather(hg, k, s, h0 + k * n);
                }
            }
            for (int k = 0; k < 2; k++) {
                if (hg != null) {
                    binary(BinaryOp.ADD, s, x0 + k * n, s, h0 + k * n, s, k * n, n);
                } else {
                    System.arraycopy(s, x0 + k * n, s, k * n, n);
                }
            }
            sigmoid(s, r, 2 * n);
            if (hg != null) {
                System.arraycopy(s, h0 + 2 * n, s, hn, n);
            } else {
                Arrays.fill(s, hn, hn + n, 0f);
            }
            binary(BinaryOp.MUL, s, r, s, hn, s, out, n);
            binary(BinaryOp.ADD, s, x0 + 2 * n, s, out, s, nn, n);
            tanh(s, nn, s, nn, n);
            if (h != null) {
                piece.gather(h, 0, s, hp);
                binary(BinaryOp.SUB, s, hp, s, nn, s, out, n);
            } else {
                unary(UnaryOp.NEG, 0f, s, nn, s, out, n);
            }
            binary(BinaryOp.MUL, s, z, s, out, s, out, n);
            binary(BinaryOp.ADD, s, nn, s, out, s, out, n);
            for (int k = 0; k < 4; k++) {
                piece.scatter(s, k * n, act, k);
            }
            piece.scatter(s, out, hOut, 0);
        });
    }

    /** See {@link dev.tessera.spi.Backend#gruCellBackward}; the views have unit inner stride. */
    static void gruCellBackward(View act, View h, View gh, View gXg, View gHg, View gH) {
        forEachPiece(act, (piece, s) -> {
            // Panels (times CHUNK): act r, z, n, hn 0..3, h 4, gh 5, input-side gradients r, z, n
            // 6..8, the hidden side's n 9, scratch 10 and 11, gradient of h 12.
            int r = 0;
            int z = CHUNK;
            int n = 2 * CHUNK;
            int hn = 3 * CHUNK;
            int hp = 4 * CHUNK;
            int ghp = 5 * CHUNK;
            int gr = 6 * CHUNK;
            int gz = 7 * CHUNK;
            int gn = 8 * CHUNK;
            int ghn = 9 * CHUNK;
            int u = 10 * CHUNK;
            int t = 11 * CHUNK;
            int gHp = 12 * CHUNK;
            int len = piece.size();
            for (int k = 0; k < 4; k++) {
                piece.gather(act, k, s, k * CHUNK);
            }
            piece.gather(gh, 0, s, ghp);
            unary(UnaryOp.RSUB_SCALAR, 1f, s, z, s, u, len);
            binary(BinaryOp.MUL, s, ghp, s, u, s, t, len);
            binary(BinaryOp.MUL, s, n, s, n, s, u, len);
            unary(UnaryOp.RSUB_SCALAR, 1f, s, u, s, u, len);
            binary(BinaryOp.MUL, s, t, s, u, s, gn, len);
            binary(BinaryOp.MUL, s, gn, s, r, s, ghn, len);
            sigmoidDerivative(s, r, u, len);
            binary(BinaryOp.MUL, s, gn, s, hn, s, gr, len);
            binary(BinaryOp.MUL, s, gr, s, u, s, gr, len);
            if (h != null) {
                piece.gather(h, 0, s, hp);
                binary(BinaryOp.SUB, s, hp, s, n, s, t, len);
            } else {
                unary(UnaryOp.NEG, 0f, s, n, s, t, len);
            }
            sigmoidDerivative(s, z, u, len);
            binary(BinaryOp.MUL, s, ghp, s, t, s, gz, len);
            binary(BinaryOp.MUL, s, gz, s, u, s, gz, len);
            for (int k = 0; k < 3; k++) {
                piece.scatter(s, (6 + k) * CHUNK, gXg, k);
            }
            piece.scatter(s, gr, gHg, 0);
            piece.scatter(s, gz, gHg, 1);
            piece.scatter(s, ghn, gHg, 2);
            if (gH != null) {
                binary(BinaryOp.MUL, s, ghp, s, z, s, gHp, len);
                piece.scatter(s, gHp, gH, 0);
            }
        });
    }

    /** {@code s[u..] = (1 - y) y} for the panel {@code s[y..]}, as the composed default's sigmoid derivative. */
    private static void sigmoidDerivative(float[] s, int y, int u, int n) {
        unary(UnaryOp.RSUB_SCALAR, 1f, s, y, s, u, n);
        binary(BinaryOp.MUL, s, u, s, y, s, u, n);
    }

    /**
     * {@code s[o..o+n) = sigmoid(s[o..o+n))}: the bits of {@code UnaryKernels.row(SIGMOID, ...)},
     * called directly so that the forward kernels do not inline the whole unary dispatch at every
     * activation (C2 then ran out of inlining room and left the vector code boxed).
     */
    private static void sigmoid(float[] s, int o, int n) {
        if (Simd.ENABLED && n >= Simd.MIN_LENGTH) {
            VectorMath.sigmoid(s, o, s, o, n);
        } else {
            for (int i = 0; i < n; i++) {
                s[o + i] = FloatMath.sigmoid(s[o + i]);
            }
        }
    }

    /** {@code out[oo..] = tanh(x[xo..])} for {@code n} elements, as {@link #sigmoid} for {@code TANH}. */
    private static void tanh(float[] x, int xo, float[] out, int oo, int n) {
        if (Simd.ENABLED && n >= Simd.MIN_LENGTH) {
            VectorMath.tanh(x, xo, out, oo, n);
        } else {
            for (int i = 0; i < n; i++) {
                out[oo + i] = FloatMath.tanh(x[xo + i]);
            }
        }
    }

    private static void unary(UnaryOp op, float p, float[] x, int xo, float[] out, int oo, int n) {
        UnaryKernels.row(op, p, x, xo, 1, out, oo, 1, n);
    }

    private static void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        BinaryKernels.row(op, a, ao, 1, b, bo, 1, out, oo, 1, n);
    }
}
