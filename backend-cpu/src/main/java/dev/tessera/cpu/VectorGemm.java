package dev.tessera.cpu;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM with the Java Vector API ({@code jdk.incubator.vector}).
 *
 * <p>Only {@link Gemm} refers to this class, and only after it has checked that the
 * module {@code jdk.incubator.vector} is in the boot layer: loading this class on a
 * JVM started without {@code --add-modules jdk.incubator.vector} would fail.
 *
 * <p>The design is the GotoBLAS/BLIS one:
 * <pre>
 * for jc in steps of NC over the columns of C              (B block: KC x NC, shared by all tasks)
 *   for pc in steps of KC over k
 *     pack op(B)[pc:pc+kc, jc:jc+nc] into panels NRW columns wide (zero padded)   -- in parallel
 *     for each task = (block of mc rows) x (range of column panels)                -- in parallel
 *       [pack the task's rows of A into panels of MR rows]
 *       for each column panel, for each row panel: MR x NRW register tile, kc FMA steps
 *       C tile = (pc == 0 ? beta*C : C) + alpha*tile  (beta == 0: C is overwritten, NaN or not)
 * </pre>
 * Packing B makes the kernel's vector loads unit-stride whatever its layout, so a transposed B
 * costs only a different packing loop, and zero padding makes every kernel call a full tile. A
 * small B (not transposed) is read in place. The {@link GemmVariant} (chosen by {@link GemmTuner})
 * says how A is read: in place, through eight row offsets (rows past m repeat the last row and
 * are not stored), with its rows first copied {@link #KC} floats apart where a task covers
 * {@link #COPY_ROWS_MIN_PANELS} column panels or more ({@link #kernelCopiedRows}), or packed into
 * row panels of 6, 8 or 12 rows ({@link PackedKernels}) where the task is wide enough for the
 * packing to pay. Every variant adds the products of each element in
 * the same order, so all give the same bits.
 *
 * <p>Measured on a 2-core AVX-512 machine (JDK 17, 16 float lanes): tiles 4x2, 6x2, 8x2, 4x3,
 * 8x3 and 12x2 (rows x vectors) and KC 128..1024 were tried; 8x2 with KC = 512 and 64-row
 * blocks was the best or tied at n = 256..2048. KC = 512 beat 256 by ~15% at n >= 1024 because
 * it halves the passes over C.
 */
final class VectorGemm {

    /** The vector shape of every kernel: the widest the CPU has. */
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> S = SPECIES;
    /** Floats per vector (16 with AVX-512, 8 with AVX2). */
    static final int LN = S.length();
    /** Rows of the register tile. */
    static final int MR = 8;
    /** Columns of the register tile: two vectors. */
    static final int NRW = 2 * LN;
    /** Depth of a k block: the A rows (MR x KC) and B panel (KC x NRW) of a tile stay in L1/L2. */
    static final int KC = 512;
    /** Rows of the tallest register tile of any {@link GemmVariant}. */
    private static final int MAX_MR = 12;
    /** Columns per packed B block: KC x NC floats = 4 MiB at most, shared in L3. */
    static final int NC = Math.max(NRW, 2048 / NRW * NRW);
    /** Column panels from which a task copies its rows of A, see {@link #kernelCopiedRows}. */
    static final int COPY_ROWS_MIN_PANELS = 4;
    /** Floats of B up to which it is read in place instead of packed, see {@link #directB}. */
    private static final long DIRECT_B_MAX_FLOATS = 1L << 14;
    /** Floats (k x ldb) B may span to be read in place, see {@link #directB}: 256 KiB. */
    private static final long DIRECT_B_MAX_SPAN = 1L << 16;
    /** Elements of a B block from which it is packed in parallel. */
    private static final long PARALLEL_PACK_MIN = 1L << 15;
    /** Tasks per worker the parallel loop aims for, for load balance on a noisy machine. */
    private static final int TASKS_PER_THREAD = 3;

    /** Reusable packing and tile buffers; pools rather than ThreadLocals, see {@link Recycler}. */
    private static final Recycler<float[]> B_BLOCKS = new Recycler<>(4);
    private static final Recycler<float[]> A_BLOCKS = new Recycler<>(2 * CpuPool.parallelism() + 4);
    private static final Recycler<float[]> TILES = new Recycler<>(2 * CpuPool.parallelism() + 4);

    private VectorGemm() {
    }

    /**
     * The number of float lanes of the preferred species.
     *
     * @return the lane count, e.g. 16 with AVX-512
     */
    static int lanes() {
        return LN;
    }

    /**
     * {@code C = alpha*op(A)*op(B) + beta*C}; the arguments are those of
     * {@link Gemm#sgemm}, already validated, with {@code m, n, k >= 1} and
     * {@code alpha != 0}. Modifies only {@code c[cOff + i*ldc + j]} for
     * {@code i < m, j < n}. A product with few rows of A and a transposed B runs as its
     * transpose, with the same bits (see {@link SwappedGemm}); one with fewer rows than a
     * register tile reads B in place (see {@link FewRowsGemm}).
     *
     * @param variant  the register tile and packing to use; any gives the same bits
     * @param parallel whether to spread the work over {@link CpuPool}
     */
    static void sgemm(GemmVariant variant, boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc, boolean parallel) {
        if (FewRowsGemm.applies(m)) {
            FewRowsGemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, parallel);
        } else if (SwappedGemm.pays(transA, transB, m, n, k)) {
            SwappedGemm.sgemm(variant, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, parallel);
        } else {
            sgemmAsGiven(variant, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                    parallel);
        }
    }

    /** {@link #sgemm} computed in the orientation given, never as the transposed product. */
    static void sgemmAsGiven(GemmVariant variant, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, boolean parallel) {
        int mcMax = variant.mc();
        int kcMax = Math.min(KC, k);
        int ncMax = Math.min(NC, roundUp(n, NRW));
        boolean directB = directB(transB, n, k, ldb);
        // B read in place still packs its last, partial panel (the kernel reads whole panels).
        float[] packedB = take(B_BLOCKS, directB ? kcMax * NRW : kcMax * ncMax);
        int threads = parallel ? CpuPool.callerParallelism() : 1;
        int rowBlocks = ceilDiv(m, mcMax);
        // Read once per product: every tile of it runs on the same side of the switch.
        boolean vector = VectorWarmUp.gemmCompiled();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int panels = ceilDiv(nc, NRW);
            // Few row blocks (small m): also split the columns, so every worker gets work.
            int wanted = threads * TASKS_PER_THREAD;
            int colChunks = rowBlocks >= wanted || threads == 1
                    ? 1 : Math.min(panels, ceilDiv(wanted, rowBlocks));
            int tasks = rowBlocks * colChunks;
            int col0 = jc;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                Block block = new Block(transA, a, aOff, lda, b, bOff, ldb, directB, packedB, pc, kc, col0, nc,
                        vector);
                // Pack B's panels, each a task, then the compute tasks share them. A small block is
                // packed on this thread: a parallel loop costs more than the copy.
                if (directB) {
                    if (nc % NRW != 0) {
                        int last = panels - 1;
                        packB(transB, b, bOff, ldb, pc, kc, col0, nc, last, last + 1, packedB, -last * NRW * kc,
                                vector);
                    }
                } else {
                    boolean parallelPack = threads > 1 && (long) kc * nc >= PARALLEL_PACK_MIN;
                    run(parallelPack, panels, 1,
                            (from, to) -> packB(transB, b, bOff, ldb, block.pc, kc, col0, nc, from, to, packedB, 0,
                                    vector));
                }
                runTasks(threads > 1, tasks, (from, to) -> {
                    for (int t = from; t < to; t++) {
                        int rb = t / colChunks;
                        int cc = t % colChunks;
                        int i0 = rb * mcMax;
                        computeBlock(block, variant, alpha, beta, c, cOff, ldc, i0, Math.min(mcMax, m - i0),
                                (int) ((long) panels * cc / colChunks),
                                (int) ((long) panels * (cc + 1) / colChunks));
                    }
                });
            }
        }
        B_BLOCKS.offer(packedB);
    }

    /**
     * Whether B's whole panels are read in place rather than packed: only when B is small, and
     * so are the memory it spans. A large B read in place goes through rows {@code ldb} apart
     * (often 4 KiB, a multiple of the L1 set stride); packed, the kernel streams it. Measured (1
     * thread, best of 9): 128x128x32 6 against 9 µs in place; 256x784x256 750 against 500 µs
     * packed. A small B whose rows lie far apart (one time step's columns of a recurrent layer's
     * time-major states, 32 columns of rows 12.8 KB apart) touches a new page per row: 768x256
     * times 256x32 of ldb 3200 took 101 µs in place against 85 µs packed (median of 9).
     */
    private static boolean directB(boolean transB, int n, int k, int ldb) {
        return !transB && (long) k * n <= DIRECT_B_MAX_FLOATS && (long) k * ldb <= DIRECT_B_MAX_SPAN;
    }

    /** A recycled buffer of at least {@code size} floats, or a new one. */
    private static float[] take(Recycler<float[]> pool, int size) {
        float[] buffer = pool.poll();
        return buffer == null || buffer.length < size ? new float[size] : buffer;
    }

    /** {@code body} over the compute tasks, each handed out on its own (see {@link CpuPool#parallelTasks}). */
    private static void runTasks(boolean parallel, int tasks, IntRangeConsumer body) {
        if (parallel) {
            CpuPool.parallelTasks(tasks, body);
        } else {
            body.accept(0, tasks);
        }
    }

    private static void run(boolean parallel, int n, int grain, IntRangeConsumer body) {
        if (parallel) {
            CpuPool.parallelFor(n, grain, body);
        } else {
            body.accept(0, n);
        }
    }

    /**
     * Where the kernel finds A and B for one k block {@code [pc, pc+kc)} of the column block
     * {@code [jc, jc+nc)}: A in place, B as packed panels or in place.
     */
    private static final class Block {
        final boolean transA;
        final float[] a;
        final int aOff;
        final int lda;
        final float[] b;
        final int bOff;
        final int ldb;
        /** Whether B's whole panels are read in place (not transposed); the last partial one is packed. */
        final boolean directB;
        /** B's packed panels; with directB only the last, partial panel, at index 0. */
        final float[] packedB;
        final int pc;
        final int kc;
        final int jc;
        final int nc;
        /** Whether the vector kernels run, or their scalar twins (see {@link VectorWarmUp}). */
        final boolean vector;

        Block(boolean transA, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              boolean directB, float[] packedB, int pc, int kc, int jc, int nc, boolean vector) {
            this.transA = transA;
            this.a = a;
            this.aOff = aOff;
            this.lda = lda;
            this.b = b;
            this.bOff = bOff;
            this.ldb = ldb;
            this.directB = directB;
            this.packedB = packedB;
            this.pc = pc;
            this.kc = kc;
            this.jc = jc;
            this.nc = nc;
            this.vector = vector;
        }
    }

    /**
     * One task: rows {@code [i0, i0+mc)} of C times column panels {@code [panel0, panel1)}
     * of the column block, for one k block.
     */
    private static void computeBlock(Block blk, GemmVariant variant, float alpha, float beta, float[] c,
                                     int cOff, int ldc, int i0, int mc, int panel0, int panel1) {
        if (panel1 <= panel0 || mc <= 0) {
            return;
        }
        float[] tile = TILES.poll();
        if (tile == null) {
            tile = new float[MAX_MR * NRW];
        }
        // Tiles other than 8 rows exist only on packed A, so those variants always pack it.
        if (variant.packsA() && !blk.directB
                && (panel1 - panel0 >= GemmVariant.PACK_A_MIN_PANELS || variant.mr() != MR)) {
            computePackedBlock(blk, variant.mr(), alpha, beta, c, cOff, ldc, i0, mc, panel0, panel1, tile);
            TILES.offer(tile);
            return;
        }
        boolean first = blk.pc == 0;
        int kc = blk.kc;
        int rowPanels = ceilDiv(mc, MR);
        // A's rows copied KC floats apart where the task's column panels amortise the copy (see
        // kernelCopiedRows); otherwise read in place, touched once in memory order first. A small B
        // read in place goes to the general kernel, which takes B's stride, so A stays in place too.
        boolean copied = blk.vector && !blk.transA && !blk.directB && panel1 - panel0 >= COPY_ROWS_MIN_PANELS;
        float[] rowsBuf = null;
        if (copied) {
            rowsBuf = take(A_BLOCKS, rowPanels * MR * KC);
            for (int r = 0; r < mc; r++) {
                System.arraycopy(blk.a, blk.aOff + (i0 + r) * blk.lda + blk.pc, rowsBuf, r * KC, kc);
            }
        } else if (!blk.transA) {
            touchA(blk, i0, mc);
        }
        for (int jp = panel0; jp < panel1; jp++) {
            int cols = Math.min(NRW, blk.nc - jp * NRW);
            float[] bArray;
            int bi;
            int bStep;
            if (!blk.directB) {
                bArray = blk.packedB;
                bi = jp * NRW * kc;
                bStep = NRW;
            } else if (cols < NRW) {
                bArray = blk.packedB;
                bi = 0;
                bStep = NRW;
            } else {
                bArray = blk.b;
                bi = blk.bOff + blk.pc * blk.ldb + blk.jc + jp * NRW;
                bStep = blk.ldb;
            }
            int cCol = cOff + blk.jc + jp * NRW;
            // Row panels inner: the B micro-panel (kc x NRW) is reused from cache for all of them.
            for (int ip = 0; ip < rowPanels; ip++) {
                int row = i0 + ip * MR;
                int rows = Math.min(MR, mc - ip * MR);
                // A in place: the step along k is 1 (rows of A) or lda (A stored transposed); rows
                // past m repeat the last one (computed, never stored) so no read leaves A.
                int rowStride = blk.transA ? 1 : blk.lda;
                int ai = blk.transA ? blk.aOff + blk.pc * blk.lda + row : blk.aOff + row * blk.lda + blk.pc;
                int last = rows - 1;
                int aStep = blk.transA ? blk.lda : 1;
                int o1 = Math.min(1, last) * rowStride;
                int o2 = Math.min(2, last) * rowStride;
                int o3 = Math.min(3, last) * rowStride;
                int o4 = Math.min(4, last) * rowStride;
                int o5 = Math.min(5, last) * rowStride;
                int o6 = Math.min(6, last) * rowStride;
                int o7 = Math.min(7, last) * rowStride;
                if (!blk.vector) {
                    ScalarTiles.inPlace(kc, blk.a, ai, aStep, o1, o2, o3, o4, o5, o6, o7, bArray, bi, bStep, tile, NRW);
                } else if (copied && bStep == NRW) {
                    kernelCopiedRows(kc, rowsBuf, ip * MR * KC, bArray, bi, tile);
                } else if (!blk.transA && bStep == NRW) {
                    kernelRows(kc, blk.a, ai, o1, o2, o3, o4, o5, o6, o7, bArray, bi, tile);
                } else {
                    kernel(kc, blk.a, ai, aStep, o1, o2, o3, o4, o5, o6, o7, bArray, bi, bStep, tile);
                }
                store(tile, alpha, c, cCol + row * ldc, ldc, rows, cols, first, beta, blk.vector);
            }
        }
        if (rowsBuf != null) {
            A_BLOCKS.offer(rowsBuf);
        }
        TILES.offer(tile);
    }

    /**
     * {@link #computeBlock} with A packed: the task's rows of A are copied once into panels of
     * {@code mr} rows, then every (column panel, row panel) pair runs a {@link PackedKernels} tile.
     */
    private static void computePackedBlock(Block blk, int mr, float alpha, float beta, float[] c, int cOff,
                                           int ldc, int i0, int mc, int panel0, int panel1, float[] tile) {
        int kc = blk.kc;
        int rowPanels = ceilDiv(mc, mr);
        float[] ap = take(A_BLOCKS, rowPanels * mr * KC);
        PackedKernels.packA(blk.transA, blk.a, blk.aOff, blk.lda, i0, mc, blk.pc, kc, mr, ap);
        boolean first = blk.pc == 0;
        for (int jp = panel0; jp < panel1; jp++) {
            int cols = Math.min(NRW, blk.nc - jp * NRW);
            int bi = jp * NRW * kc;
            int cCol = cOff + blk.jc + jp * NRW;
            for (int ip = 0; ip < rowPanels; ip++) {
                int ai = ip * mr * kc;
                if (blk.vector) {
                    PackedKernels.kernel(mr, kc, ap, ai, blk.packedB, bi, tile);
                } else {
                    ScalarTiles.packed(kc, mr, ap, ai, blk.packedB, bi, tile, NRW);
                }
                int row = i0 + ip * mr;
                store(tile, alpha, c, cCol + row * ldc, ldc, Math.min(mr, mc - ip * mr), cols, first, beta, blk.vector);
            }
        }
        A_BLOCKS.offer(ap);
    }

    private static volatile float sink;

    /**
     * Reads the task's rows of A once, line by line in memory order, before the kernels read them
     * eight rows at a time: sequential reads are what the hardware prefetchers follow, so rows that
     * are not in cache (each matrix of a batch of attention heads) arrive at memory bandwidth
     * instead of one miss at a time. Measured on 128 products [128,128]x[128,32], 1 thread: 50-59
     * GFLOP/s without, 68-74 with. (A stored transposed is already read in memory order.)
     */
    private static void touchA(Block blk, int i0, int mc) {
        float acc = 0f;
        float[] a = blk.a;
        for (int i = 0; i < mc; i++) {
            int row = blk.aOff + (i0 + i) * blk.lda + blk.pc;
            for (int p = 0; p < blk.kc; p += 16) {
                acc += a[row + p];
            }
        }
        if (acc == Float.MIN_VALUE) {
            sink = acc; // keeps the reads from being optimised away; practically never taken
        }
    }

    /**
     * Adds a finished tile into C: {@code C = beta*C + alpha*tile} for the first k block
     * ({@code C = alpha*tile} when beta is 0, so NaN in C does not survive),
     * {@code C += alpha*tile} for the later ones. Full tiles go by vectors when {@code vector}; the
     * scalar loop rounds every element the same way.
     */
    static void store(float[] tile, float alpha, float[] c, int ci, int ldc, int rows, int cols,
                      boolean first, float beta, boolean vector) {
        // Two methods, not two branches of one: while the warm-up keeps the vectors off, the scalar
        // branch would dominate this method's profile, and C2 does not inline the Vector API calls
        // of a branch it deems rare, which would leave the vectors boxed once they are switched on.
        if (cols == NRW && vector) {
            storeVectors(tile, alpha, c, ci, ldc, rows, first, beta);
        } else {
            storeScalars(tile, alpha, c, ci, ldc, rows, cols, first, beta);
        }
    }

    /** {@link #store} of a full tile by vectors. */
    static void storeVectors(float[] tile, float alpha, float[] c, int ci, int ldc, int rows, boolean first,
                             float beta) {
        boolean overwrite = first && beta == 0f;
        boolean scale = first && beta != 1f && beta != 0f;
        boolean scaleTile = alpha != 1f;
        for (int r = 0; r < rows; r++) {
            int co = ci + r * ldc;
            int to = r * NRW;
            for (int v = 0; v < NRW; v += LN) {
                FloatVector x = FloatVector.fromArray(S, tile, to + v);
                if (scaleTile) {
                    x = x.mul(alpha);
                }
                if (!overwrite) {
                    FloatVector old = FloatVector.fromArray(S, c, co + v);
                    x = scale ? old.mul(beta).add(x) : old.add(x);
                }
                x.intoArray(c, co + v);
            }
        }
    }

    /** {@link #store} element by element, for any number of columns. */
    private static void storeScalars(float[] tile, float alpha, float[] c, int ci, int ldc, int rows, int cols,
                                     boolean first, float beta) {
        boolean overwrite = first && beta == 0f;
        boolean scale = first && beta != 1f && beta != 0f;
        for (int r = 0; r < rows; r++) {
            int co = ci + r * ldc;
            int to = r * NRW;
            for (int j = 0; j < cols; j++) {
                float x = alpha * tile[to + j];
                if (overwrite) {
                    c[co + j] = x;
                } else if (scale) {
                    c[co + j] = beta * c[co + j] + x;
                } else {
                    c[co + j] += x;
                }
            }
        }
    }

    /**
     * Packs column panels {@code [panel0, panel1)} of {@code op(B)[pc:pc+kc, jc:jc+nc]}:
     * {@code bp[shift + panel*NRW*kc + p*NRW + j] = op(B)(pc + p, jc + panel*NRW + j)}, columns
     * past {@code nc} zero.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc,
                              int jc, int nc, int panel0, int panel1, float[] bp, int shift, boolean vector) {
        for (int jp = panel0; jp < panel1; jp++) {
            int j0 = jc + jp * NRW;
            int w = Math.min(NRW, jc + nc - j0);
            int d = jp * NRW * kc + shift;
            if (!transB) {
                packRows(b, bOff + pc * ldb + j0, ldb, kc, w, bp, d, vector);
            } else {
                packColumns(b, bOff + j0 * ldb + pc, ldb, kc, w, bp, d);
            }
        }
    }

    /**
     * B is k x n: each packed row of NRW floats is a contiguous run of B, copied by vectors when
     * {@code vector} and the panel is whole (two methods for the reason given in {@link #store}).
     */
    static void packRows(float[] b, int src, int ldb, int kc, int w, float[] bp, int d, boolean vector) {
        if (w == NRW && vector) {
            packRowsByVectors(b, src, ldb, kc, bp, d);
            return;
        }
        for (int p = 0; p < kc; p++) {
            for (int j = 0; j < w; j++) {
                bp[d + j] = b[src + j];
            }
            for (int j = w; j < NRW; j++) {
                bp[d + j] = 0f;
            }
            src += ldb;
            d += NRW;
        }
    }

    /** {@link #packRows} of a whole panel by vectors. */
    static void packRowsByVectors(float[] b, int src, int ldb, int kc, float[] bp, int d) {
        for (int p = 0; p < kc; p++) {
            FloatVector.fromArray(S, b, src).intoArray(bp, d);
            FloatVector.fromArray(S, b, src + LN).intoArray(bp, d + LN);
            src += ldb;
            d += NRW;
        }
    }

    /**
     * B is stored n x k (op(B) = B^T, e.g. a Linear layer's [out, in] weight): column j of
     * the panel is the contiguous row {@code src + j*ldb} of B. A scalar copy that reads four
     * rows at a time (unit-stride reads, stride-NRW writes). An in-register 16 x 16 transpose
     * of the Vector API packed about 1.4x faster once compiled, but C2 took about 0.4 s to
     * compile it, and until then it ran as boxed vectors: it made the first epoch of a fresh JVM
     * about 0.7 s slower and the heap 200 MB larger, for 5% of a warm MLP step.
     */
    private static void packColumns(float[] b, int src, int ldb, int kc, int w, float[] bp, int d) {
        int j = 0;
        for (; j + 4 <= w; j += 4) {
            int s0 = src + j * ldb;
            int s1 = s0 + ldb;
            int s2 = s1 + ldb;
            int s3 = s2 + ldb;
            int o = d + j;
            for (int q = 0; q < kc; q++) {
                int oq = o + q * NRW;
                bp[oq] = b[s0 + q];
                bp[oq + 1] = b[s1 + q];
                bp[oq + 2] = b[s2 + q];
                bp[oq + 3] = b[s3 + q];
            }
        }
        for (; j < w; j++) {
            int s = src + j * ldb;
            for (int q = 0; q < kc; q++) {
                bp[d + q * NRW + j] = b[s + q];
            }
        }
        for (; j < NRW; j++) {
            for (int q = 0; q < kc; q++) {
                bp[d + q * NRW + j] = 0f;
            }
        }
    }

    /**
     * The register tile: {@code tile[r*NRW + j] = sum_p a[ai + p*aStep + o_r] * b[bi + p*bStep + j]}
     * for an {@value #MR} x {@code NRW} block, with {@code o_0 = 0}. 16 accumulators + 2 B vectors + 1 broadcast
     * fit the 32 AVX-512 registers with no spill; each k step does 2 vector loads and 8
     * broadcasts for 16 FMAs. The result goes to a small buffer rather than straight into
     * C: that keeps this method small enough for the C1 compiler (a version with the C
     * update inlined made C1 give up with 'out of virtual registers', which could leave the
     * method stuck in slow tier-2 code), and costs 16 stores per kc*16 FMAs.
     */
    static void kernel(int kc, float[] a, int ai, int aStep, int o1, int o2, int o3, int o4,
                               int o5, int o6, int o7, float[] b, int bi, int bStep, float[] tile) {
        if (kc < 0) {
            return; // a call that only counts towards the JIT's thresholds (see WarmUpProbes)
        }
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + LN);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + o6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + o7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
            ai += aStep;
            bi += bStep;
        }
        c00.intoArray(tile, 0*NRW); c01.intoArray(tile, 0*NRW + LN);
        c10.intoArray(tile, 1*NRW); c11.intoArray(tile, 1*NRW + LN);
        c20.intoArray(tile, 2*NRW); c21.intoArray(tile, 2*NRW + LN);
        c30.intoArray(tile, 3*NRW); c31.intoArray(tile, 3*NRW + LN);
        c40.intoArray(tile, 4*NRW); c41.intoArray(tile, 4*NRW + LN);
        c50.intoArray(tile, 5*NRW); c51.intoArray(tile, 5*NRW + LN);
        c60.intoArray(tile, 6*NRW); c61.intoArray(tile, 6*NRW + LN);
        c70.intoArray(tile, 7*NRW); c71.intoArray(tile, 7*NRW + LN);
    }

    /**
     * {@link #kernel} for A read by rows (step 1 along k) and B packed (step NRW): with both steps
     * constant the indices are affine in the loop counter, so the JIT checks their bounds once
     * before the loop instead of at every load.
     */
    static void kernelRows(int kc, float[] a, int ai, int o1, int o2, int o3, int o4,
                                   int o5, int o6, int o7, float[] b, int bi, float[] tile) {
        if (kc < 0) {
            return; // a call that only counts towards the JIT's thresholds (see WarmUpProbes)
        }
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * NRW;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + LN);
            FloatVector a0 = FloatVector.broadcast(S, a[ai + p]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1 + p]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2 + p]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3 + p]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4 + p]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5 + p]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[ai + o6 + p]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[ai + o7 + p]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0*NRW); c01.intoArray(tile, 0*NRW + LN);
        c10.intoArray(tile, 1*NRW); c11.intoArray(tile, 1*NRW + LN);
        c20.intoArray(tile, 2*NRW); c21.intoArray(tile, 2*NRW + LN);
        c30.intoArray(tile, 3*NRW); c31.intoArray(tile, 3*NRW + LN);
        c40.intoArray(tile, 4*NRW); c41.intoArray(tile, 4*NRW + LN);
        c50.intoArray(tile, 5*NRW); c51.intoArray(tile, 5*NRW + LN);
        c60.intoArray(tile, 6*NRW); c61.intoArray(tile, 6*NRW + LN);
        c70.intoArray(tile, 7*NRW); c71.intoArray(tile, 7*NRW + LN);
    }

    /**
     * The 8 x 2 tile ({@code tile[r*NRW + j] = sum_p a[ai + r*KC + p] * b[bi + p*NRW + j]}) on rows
     * of A copied {@link #KC} floats apart: with the row offsets constants, each broadcast of A is
     * one load at a fixed displacement from one index. {@link #kernelRows} takes its offsets as
     * arguments, so C2 adds each to the index at every k step and keeps some of them in vector
     * registers; its loop issued about 50 instructions for 16 FMAs. Copying a task's rows costs a
     * pass over them, which {@link #COPY_ROWS_MIN_PANELS} column panels amortise: measured on 1
     * thread, a 256 x 256 product took 168-171 µs against 179-182 µs with A in place, and the MLP step
     * at batch 64 (whose products have 2 column panels) lost 7% copying for every task. Same
     * products in the same order as every other tile. {@code kc < 0}: returns at once (see
     * {@link WarmUpProbes}).
     */
    static void kernelCopiedRows(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        if (kc < 0) {
            return; // a call that only counts towards the JIT's thresholds (see WarmUpProbes)
        }
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bo = bi + p * NRW;
            int q = ai + p;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + LN);
            FloatVector a0 = FloatVector.broadcast(S, a[q]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[q + KC]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[q + 2 * KC]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[q + 3 * KC]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[q + 4 * KC]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[q + 5 * KC]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, a[q + 6 * KC]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, a[q + 7 * KC]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0*NRW); c01.intoArray(tile, 0*NRW + LN);
        c10.intoArray(tile, 1*NRW); c11.intoArray(tile, 1*NRW + LN);
        c20.intoArray(tile, 2*NRW); c21.intoArray(tile, 2*NRW + LN);
        c30.intoArray(tile, 3*NRW); c31.intoArray(tile, 3*NRW + LN);
        c40.intoArray(tile, 4*NRW); c41.intoArray(tile, 4*NRW + LN);
        c50.intoArray(tile, 5*NRW); c51.intoArray(tile, 5*NRW + LN);
        c60.intoArray(tile, 6*NRW); c61.intoArray(tile, 6*NRW + LN);
        c70.intoArray(tile, 7*NRW); c71.intoArray(tile, 7*NRW + LN);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }

    /**
     * A small bounded pool of reusable buffers, so repeated GEMMs (a training loop) do not
     * allocate megabytes per call. A shared pool rather than ThreadLocals: the caller's
     * B block is held across a parallel join, during which a pool worker may run another
     * GEMM (nested parallelism), so per-thread buffers would need reentrancy tracking, and
     * an application that calls from hundreds of threads would keep one buffer per thread.
     */
    private static final class Recycler<T> {
        private final ConcurrentLinkedQueue<T> free = new ConcurrentLinkedQueue<>();
        private final AtomicInteger size = new AtomicInteger();
        private final int capacity;

        Recycler(int capacity) {
            this.capacity = capacity;
        }

        T poll() {
            T t = free.poll();
            if (t != null) {
                size.decrementAndGet();
            }
            return t;
        }

        void offer(T t) {
            if (size.incrementAndGet() <= capacity) {
                free.offer(t);
            } else {
                size.decrementAndGet();
            }
        }
    }
}
