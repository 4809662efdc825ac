package dev.tessera.cpu;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.UnaryOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls {@link VectorWarmUp}'s thread makes to get the vector kernels compiled, and its test
 * of when they are: a probe (a few kernel calls on tiny operands) has run as compiled vector code
 * when it allocated nothing beyond what its calls allocate by design and took less than its
 * threshold. Until C2 has compiled a kernel, each of its vector operations allocates a box, also
 * in C1's code, which can be fast enough to pass a threshold alone: a probe of the B packing took
 * 0.94 µs in C1's code against a threshold of 1 µs, and the B packing then ran boxed for a
 * second. The thresholds alone decide where the allocated bytes cannot be read (see
 * {@link #allocatedBytes}); they sit on either side: compiled, a probe takes at most about a
 * microsecond; boxed, each of its vector operations takes at least 15 ns.
 *
 * <p>The operands are tiny because every boxed operation allocates: with a k depth of 64 and SGD
 * over 2,048 floats the warm-up allocated about 1 GB before C2 had compiled everything, enough
 * young collections to make G1 grow the heap. The JIT's counters only need the calls, not the
 * work: most calls of the GEMM register tiles only count ({@link Probe#counting}), returning
 * before any vector operation, so these kernels, the costliest to run boxed, reach C2's threshold
 * after about a tenth of the boxed calls. Once a kernel has been called {@link #CALLS_TO_TRIGGER}
 * times the rest is C2's queue: from then on it is timed only about every 100 µs.
 *
 * <p>Every branch of a kernel is taken here (scalar tails included), so the compiled code has no
 * untaken path to trap on later: one that traps sends the kernel back to boxed code until C2 has
 * compiled it again. Only the warm-up thread uses an instance.
 */
final class WarmUpProbes {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUpProbes.class);
    /** k depth of the register-tile probes. */
    private static final int KC = 4;
    /** Calls per probe of a register-tile kernel. */
    private static final int TILE_CALLS = 8;
    /** Elements of the SGD probes: one vector and a scalar tail. */
    private static final int SGD_LENGTH = VectorGemm.LN + 5;
    /**
     * Calls after which a kernel is surely queued for C2: its invocation threshold is 5,000, scaled
     * up while C2's queue is long; about 7,000 calls were measured.
     */
    static final int CALLS_TO_TRIGGER = 20_000;
    /** Calls per check of a probe's calls that only count (see {@link Probe#counting}). */
    static final int COUNTING_CALLS = 64;
    /** Time between probes of a kernel that has been called enough. */
    private static final long SLOW_PROBE_NANOS = 100_000;
    /** Counts this thread's allocated bytes; null where the JVM does not. */
    private static final com.sun.management.ThreadMXBean ALLOCATION = allocationCounter();

    private final List<Probe> gemm = new ArrayList<>();
    private final List<Probe> optim = new ArrayList<>();
    private final List<Probe> elementwise = new ArrayList<>();

    /** Kernel calls, and the time and allocation under which they count as compiled. */
    static final class Probe {
        final String name;
        final Runnable calls;
        final int callsPerProbe;
        final long fastNanos;
        final long allowedBytes;
        Runnable countingCalls;
        int callsMade;
        long lastProbe;
        boolean compiled;

        Probe(String name, Runnable calls, int callsPerProbe, long fastNanos) {
            this(name, calls, callsPerProbe, fastNanos, 0);
        }

        /** {@code allowedBytes}: what the calls allocate by design, compiled or not. */
        Probe(String name, Runnable calls, int callsPerProbe, long fastNanos, long allowedBytes) {
            this.name = name;
            this.calls = calls;
            this.callsPerProbe = callsPerProbe;
            this.fastNanos = fastNanos;
            this.allowedBytes = allowedBytes;
        }

        /**
         * Adds calls that only count: {@code countingCalls} makes {@link #COUNTING_CALLS} calls of
         * the kernel that return before any vector operation; they are made at every check, so that
         * the kernel reaches the JIT's invocation threshold without thousands of boxed calls.
         * Returns this probe.
         */
        Probe counting(Runnable countingCalls) {
            this.countingCalls = countingCalls;
            return this;
        }

        /**
         * Times the calls unless the kernel is compiled or was called enough and probed less than
         * {@link #SLOW_PROBE_NANOS} ago; returns whether it is (now) compiled.
         */
        boolean check() {
            if (compiled) {
                return true;
            }
            if (countingCalls != null) {
                countingCalls.run();
                callsMade += COUNTING_CALLS;
            }
            long t0 = System.nanoTime();
            if (callsMade >= CALLS_TO_TRIGGER && t0 - lastProbe < SLOW_PROBE_NANOS) {
                return false;
            }
            long bytes0 = allocatedBytes();
            calls.run();
            long t1 = System.nanoTime();
            long bytes1 = allocatedBytes();
            callsMade += callsPerProbe;
            lastProbe = t1;
            compiled = t1 - t0 < fastNanos && bytes1 - bytes0 <= allowedBytes;
            if (compiled) {
                LOG.debug("Tessera CPU: {} ran at compiled speed after {} calls", name, callsMade);
            }
            return compiled;
        }

        boolean waitingForCompiler() {
            return !compiled && callsMade >= CALLS_TO_TRIGGER;
        }
    }

    /**
     * The bytes this thread has allocated so far, or -1 where the JVM does not tell (no
     * {@code jdk.management} module, or allocation counting turned off): then every reading is
     * equal and the thresholds alone decide.
     */
    private static long allocatedBytes() {
        return ALLOCATION == null ? -1 : ALLOCATION.getCurrentThreadAllocatedBytes();
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        try {
            if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
                    && bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled()) {
                return bean;
            }
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("Tessera CPU: the warm-up cannot count allocated bytes ({}); it times its probes only",
                    e.toString());
        }
        return null;
    }

    WarmUpProbes() {
        int nrw = VectorGemm.NRW;
        float[] a = filled(12 * KC, 0.25f);
        float[] b = filled(KC * nrw, 0.5f);
        float[] tile = new float[12 * nrw];
        float[] c = filled(8 * nrw, 1f);
        // Each probe calls one method that holds vector code and nothing else, so that its profile is
        // the same here as in use. Tile kernels: COUNTING_CALLS calls of depth -1 (the JIT counts
        // calls, and these box nothing), then timed calls of depth KC and one of depth 0, so that the
        // k loop is taken about as often per call as in use. With the loop taken in only one timed
        // call of eight, the calls that only count made it look cold to C2, whose compiled tiles
        // then ran a 2048 x 2048 product 7-10% slower.
        gemm.add(new Probe("VectorGemm.kernelRows", () -> {
            for (int i = 1; i <= TILE_CALLS; i++) {
                VectorGemm.kernelRows(i == 1 ? 0 : KC, a, 0, KC, 2 * KC, 3 * KC, 4 * KC, 5 * KC, 6 * KC,
                        7 * KC, b, 0, tile);
            }
        }, TILE_CALLS, 2_000).counting(() -> {
            for (int i = 0; i < COUNTING_CALLS; i++) {
                VectorGemm.kernelRows(-1, a, 0, KC, 2 * KC, 3 * KC, 4 * KC, 5 * KC, 6 * KC, 7 * KC, b, 0, tile);
            }
        }));
        // A's rows copied VectorGemm.KC floats apart.
        float[] copiedRows = filled(7 * VectorGemm.KC + KC, 0.25f);
        gemm.add(new Probe("VectorGemm.kernelCopiedRows", () -> {
            for (int i = 1; i <= TILE_CALLS; i++) {
                VectorGemm.kernelCopiedRows(i == 1 ? 0 : KC, copiedRows, 0, b, 0, tile);
            }
        }, TILE_CALLS, 2_000).counting(() -> {
            for (int i = 0; i < COUNTING_CALLS; i++) {
                VectorGemm.kernelCopiedRows(-1, copiedRows, 0, b, 0, tile);
            }
        }));
        // A stored transposed: step 8 along k, rows one apart.
        gemm.add(new Probe("VectorGemm.kernel", () -> {
            for (int i = 1; i <= TILE_CALLS; i++) {
                VectorGemm.kernel(i == 1 ? 0 : KC, a, 0, 8, 1, 2, 3, 4, 5, 6, 7, b, 0, nrw, tile);
            }
        }, TILE_CALLS, 2_000).counting(() -> {
            for (int i = 0; i < COUNTING_CALLS; i++) {
                VectorGemm.kernel(-1, a, 0, 8, 1, 2, 3, 4, 5, 6, 7, b, 0, nrw, tile);
            }
        }));
        for (int mr : packedTileHeights()) {
            gemm.add(new Probe("PackedKernels.kernel" + mr + "x2", () -> {
                for (int i = 1; i <= TILE_CALLS; i++) {
                    PackedKernels.kernel(mr, i == 1 ? 0 : KC, a, 0, b, 0, tile);
                }
            }, TILE_CALLS, 2_000).counting(() -> {
                for (int i = 0; i < COUNTING_CALLS; i++) {
                    PackedKernels.kernel(mr, -1, a, 0, b, 0, tile);
                }
            }));
        }
        gemm.add(new Probe("VectorGemm.storeVectors", () -> {
            // overwrite; scale C by beta; accumulate, on the first k block (beta 1) and a later one;
            // and alpha 1 and not
            VectorGemm.storeVectors(tile, 1f, c, 0, nrw, 2, true, 0f);
            VectorGemm.storeVectors(tile, 0.5f, c, 0, nrw, 2, true, 0.5f);
            VectorGemm.storeVectors(tile, 1f, c, 0, nrw, 2, true, 1f);
            VectorGemm.storeVectors(tile, 1f, c, 0, nrw, 2, false, 0f);
            VectorGemm.storeVectors(tile, 2f, c, 0, nrw, 2, false, 0f);
            VectorGemm.storeVectors(tile, 2f, c, 0, nrw, 2, true, 1f);
        }, 6, 1_000));
        float[] packed = new float[KC * nrw];
        gemm.add(new Probe("VectorGemm.packRowsByVectors", () -> {
            for (int i = 0; i < 4; i++) {
                VectorGemm.packRowsByVectors(b, 0, nrw, KC, packed, 0);
            }
        }, 4, 1_000));
        float[] p = filled(SGD_LENGTH, 1f);
        float[] g = filled(SGD_LENGTH, 1e-3f);
        float[] buf = filled(SGD_LENGTH, 0f);
        optim.add(new Probe("VectorOptim.sgdMomentum", () -> {
            for (int i = 0; i < 8; i++) {
                VectorOptim.sgdMomentum(p, 0, g, 0, buf, 0, 0.9f, 1f, -1e-3f, 0, SGD_LENGTH);
            }
        }, 8, 1_000));
        optim.add(new Probe("VectorOptim.addScaled", () -> {
            for (int i = 0; i < 8; i++) {
                VectorOptim.addScaled(p, 0, g, 0, -1e-3f, 0, SGD_LENGTH);
            }
        }, 8, 1_000));
        addElementwise();
    }

    /**
     * The gated elementwise kernels ({@link VectorWarmUp#GATED_UNARY_OPS}, the common binary ops
     * with both operands rows and with one a broadcast value, column sums), each on rows of whole
     * vectors, with a partial last vector, and shorter than a vector.
     */
    private void addElementwise() {
        int ln = VectorGemm.LN;
        int[] lengths = {2 * ln, ln + 5, 5};
        float[] x = filled(4 * (4 * ln + 5), 0.75f);
        float[] y = filled(x.length, -0.5f);
        float[] out = new float[x.length];
        for (UnaryOp op : VectorWarmUp.GATED_UNARY_OPS) {
            elementwise.add(new Probe("VectorUnary " + op, () -> {
                for (int n : lengths) {
                    VectorUnary.row(op, 0.5f, x, 0, out, 0, n);
                }
            }, lengths.length, 500));
        }
        // A broadcast operand is spread into an array of one vector: two such arrays, with headers.
        long splats = 2 * (4L * ln + 64);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            elementwise.add(new Probe("VectorBinary " + op, () -> {
                for (int n : lengths) {
                    VectorBinary.row(op, x, 0, 1, y, 0, 1, out, 0, n);
                }
                VectorBinary.row(op, x, 0, 1, y, 0, 0, out, 0, 2 * ln);
                VectorBinary.row(op, x, 0, 0, y, 0, 1, out, 0, 2 * ln);
            }, lengths.length + 2, 700, splats));
        }
        int width = 4 * ln + 5;
        elementwise.add(new Probe("VectorReduce.addRows", () -> VectorReduce.addRows(x, 0, 4, width, 0, width, out),
                1, 500));
    }

    /** Probes each gated elementwise kernel not yet compiled; returns whether all are. */
    boolean elementwiseCompiled() {
        return checkAll(elementwise);
    }

    /** Probes each GEMM kernel not yet compiled (see {@link Probe#check}); returns whether all are. */
    boolean gemmCompiled() {
        return checkAll(gemm);
    }

    /** Probes each SGD kernel not yet compiled (see {@link Probe#check}); returns whether all are. */
    boolean optimCompiled() {
        return checkAll(optim);
    }

    /**
     * Whether every kernel not yet compiled has been called enough (the elementwise ones only once
     * it is their turn): the thread may then sleep.
     */
    boolean onlyWaiting(boolean elementwiseTurn) {
        return Stream.of(gemm, optim, elementwiseTurn ? elementwise : List.<Probe>of()).flatMap(List::stream)
                .allMatch(p -> p.compiled || p.waitingForCompiler());
    }

    private static boolean checkAll(List<Probe> probes) {
        boolean all = true;
        for (Probe p : probes) {
            all &= p.check();
        }
        return all;
    }

    /**
     * The packed tile heights GEMM may use: the variant chosen from the CPU unless the variant is
     * set or calibrated (deciding it here would start the calibration on this thread), then all.
     */
    private static List<Integer> packedTileHeights() {
        String wanted = System.getProperty(GemmTuner.PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        List<GemmVariant> variants = wanted.equals("auto")
                ? List.of(GemmTuner.byCpu(VectorGemm.LN)) : GemmVariant.ALL;
        List<Integer> heights = new ArrayList<>();
        for (GemmVariant v : variants) {
            if (v.packsA() && !heights.contains(v.mr())) {
                heights.add(v.mr());
            }
        }
        return heights;
    }

    private static float[] filled(int n, float value) {
        float[] x = new float[n];
        Arrays.fill(x, value);
        return x;
    }
}
