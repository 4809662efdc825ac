package dev.tessera.cpu;

/**
 * Iterates over several same-shaped strided views at once, as rows: the dimensions are first
 * coalesced (neighbours that are contiguous in every operand become one, size-1 dimensions
 * vanish), then the body is called once per position of the outer dimensions with the offsets of
 * each operand and the length and strides of the innermost dimension. Large iterations are split
 * into ranges of rows and run on the {@link CpuPool}.
 */
final class StridedLoop {
    /** Elements below which a loop runs on the calling thread. */
    static final int PARALLEL_GRAIN = 1 << 15;

    /** The work for one row: {@code offsets[k]} is operand k's first element, {@code innerStrides[k]} its step. */
    @FunctionalInterface
    interface Row {
        void run(int[] offsets, int[] innerStrides, int n);
    }

    private final int[] shape;
    private final int[][] strides;
    private final int[] offsets;
    private final int inner;
    private final int rows;

    private StridedLoop(int[] shape, int[][] strides, int[] offsets) {
        // Coalesce from the innermost dimension outward.
        int k = strides.length;
        int[] cs = new int[shape.length];
        int[][] cst = new int[k][shape.length];
        int r = 0;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (r > 0) {
                boolean mergeable = true;
                for (int j = 0; j < k; j++) {
                    if (strides[j][d] != cst[j][r - 1] * cs[r - 1]) {
                        mergeable = false;
                        break;
                    }
                }
                if (mergeable) {
                    cs[r - 1] *= shape[d];
                    continue;
                }
            }
            cs[r] = shape[d];
            for (int j = 0; j < k; j++) {
                cst[j][r] = strides[j][d];
            }
            r++;
        }
        // cs/cst are innermost-first; store outermost-first.
        this.shape = new int[r];
        this.strides = new int[k][r];
        for (int d = 0; d < r; d++) {
            this.shape[d] = cs[r - 1 - d];
            for (int j = 0; j < k; j++) {
                this.strides[j][d] = cst[j][r - 1 - d];
            }
        }
        this.offsets = offsets;
        this.inner = r == 0 ? 1 : this.shape[r - 1];
        int count = 1;
        for (int d = 0; d < r - 1; d++) {
            count *= this.shape[d];
        }
        this.rows = count;
    }

    /**
     * Runs {@code body} over every row of the views described by {@code shape}, per-operand
     * {@code strides} and {@code offsets}. Returns immediately for an empty shape.
     */
    static void run(int[] shape, int[][] strides, int[] offsets, Row body) {
        for (int s : shape) {
            if (s == 0) {
                return;
            }
        }
        StridedLoop loop = new StridedLoop(shape, strides, offsets);
        long total = (long) loop.rows * loop.inner;
        int threads = CpuPool.parallelism();
        if (total < PARALLEL_GRAIN || threads == 1) {
            loop.rows(0, loop.rows, body);
        } else if (loop.rows >= 2 * threads) {
            int grain = Math.max(1, PARALLEL_GRAIN / loop.inner);
            CpuPool.parallelFor(loop.rows, grain, (start, end) -> loop.rows(start, end, body));
        } else {
            // Few long rows (a contiguous tensor coalesces to one): split each row into pieces.
            int pieces = (int) Math.min(4L * threads, (loop.inner + PARALLEL_GRAIN / 2 - 1) / (PARALLEL_GRAIN / 2));
            int piece = (loop.inner + pieces - 1) / pieces;
            CpuPool.parallelFor(loop.rows * pieces, 1, (start, end) -> {
                for (int t = start; t < end; t++) {
                    loop.rowPiece(t / pieces, (t % pieces) * piece, piece, body);
                }
            });
        }
    }

    /** Runs {@code body} on elements {@code [from, from + length)} of row {@code row} (clipped to the row). */
    private void rowPiece(int row, int from, int length, Row body) {
        int n = Math.min(length, inner - from);
        if (n <= 0) {
            return;
        }
        int k = offsets.length;
        int outerDims = shape.length - 1;
        int[] offs = new int[k];
        int[] innerStrides = new int[k];
        for (int j = 0; j < k; j++) {
            innerStrides[j] = shape.length == 0 ? 1 : strides[j][shape.length - 1];
            int o = offsets[j] + from * innerStrides[j];
            int rem = row;
            for (int d = outerDims - 1; d >= 0; d--) {
                o += (rem % shape[d]) * strides[j][d];
                rem /= shape[d];
            }
            offs[j] = o;
        }
        body.run(offs, innerStrides, n);
    }

    /** Like {@link #run} but always on the calling thread, for bodies whose rows may write the same element. */
    static void runSerial(int[] shape, int[][] strides, int[] offsets, Row body) {
        for (int s : shape) {
            if (s == 0) {
                return;
            }
        }
        StridedLoop loop = new StridedLoop(shape, strides, offsets);
        loop.rows(0, loop.rows, body);
    }

    private void rows(int start, int end, Row body) {
        int k = offsets.length;
        int outerDims = shape.length - 1;
        int[] innerStrides = new int[k];
        for (int j = 0; j < k; j++) {
            innerStrides[j] = shape.length == 0 ? 1 : strides[j][shape.length - 1];
        }
        int[] index = new int[Math.max(outerDims, 0)];
        int[] offs = new int[k];
        // Position the counter at row `start`.
        int rem = start;
        for (int d = outerDims - 1; d >= 0; d--) {
            index[d] = rem % shape[d];
            rem /= shape[d];
        }
        for (int j = 0; j < k; j++) {
            int o = offsets[j];
            for (int d = 0; d < outerDims; d++) {
                o += index[d] * strides[j][d];
            }
            offs[j] = o;
        }
        int[] rowOffs = new int[k];
        for (int row = start; row < end; row++) {
            // A plain loop: System.arraycopy's fixed cost was a third of a 32-element row's time.
            for (int j = 0; j < k; j++) {
                rowOffs[j] = offs[j];
            }
            body.run(rowOffs, innerStrides, inner);
            // Advance the multi-dimensional counter by one row.
            for (int d = outerDims - 1; d >= 0; d--) {
                index[d]++;
                for (int j = 0; j < k; j++) {
                    offs[j] += strides[j][d];
                }
                if (index[d] < shape[d]) {
                    break;
                }
                for (int j = 0; j < k; j++) {
                    offs[j] -= strides[j][d] * shape[d];
                }
                index[d] = 0;
            }
        }
    }
}
