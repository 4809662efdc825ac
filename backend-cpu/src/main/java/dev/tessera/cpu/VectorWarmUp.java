package dev.tessera.cpu;

import dev.tessera.spi.UnaryOp;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the hottest Vector API kernels (the GEMM register tiles, the SGD update, the common
 * elementwise ops) out of the work until the JIT has compiled them, and gets them compiled on a
 * background thread meanwhile.
 *
 * <p>Why: until C2 has compiled a Vector API method, every vector operation in it runs as a Java
 * object (the interpreter and C1 cannot keep vectors in registers), about a hundred times slower
 * than compiled and allocating as it goes. In a fresh JVM the first training steps ran that way:
 * the first step of a 784-256-128-10 MLP took 0.76 s and allocated 332 MB, and the boxed
 * operations were so hot that C2 spent its first second compiling the Vector API's own fallback
 * methods before it reached the kernels. Scalar loops leave the interpreter within milliseconds.
 * So until a kernel is compiled its callers run its scalar twin ({@link ScalarTiles}, the scalar
 * loops of {@link OptimKernels}, {@link UnaryKernels}, {@link BinaryKernels}, {@link ReduceKernels}),
 * which gives the same bits, while a daemon thread calls the vector kernel on small operands until
 * one call runs at compiled speed, then opens its gate.
 *
 * <p>The thread starts with the CPU backend ({@link #start}) and ends when every gate is open,
 * after at most {@link #GIVE_UP_NANOS} (then all gates open anyway). {@code -Dtessera.warmup=false}
 * starts no thread and opens every gate at once: the kernels then run boxed until compiled, as
 * without this class. Gates matter only where the Vector API is in use.
 *
 * <p>Refers to no {@code jdk.incubator.vector} type; {@link WarmUpProbes} does, and is loaded only
 * by the thread, which starts only when both {@link Gemm} and {@link Simd} use the Vector API.
 */
final class VectorWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(VectorWarmUp.class);

    /** The system property that turns the warm-up off when {@code false}. */
    static final String PROPERTY = "tessera.warmup";

    /** After this long the gates open whether or not the kernels ran at compiled speed. */
    static final long GIVE_UP_NANOS = 20_000_000_000L;

    private static final boolean ENABLED =
            !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim());

    private static volatile boolean gemmOpen = !ENABLED;
    private static volatile boolean optimOpen = !ENABLED;
    private static volatile boolean elementwiseOpen = !ENABLED;

    /**
     * The unary ops whose vector loops wait for the warm-up: common ones whose scalar loops give
     * the same bits. Every binary op's loops wait too (all give the scalar bits), and the column
     * sums of {@link VectorReduce#addRows}; other ops run their vector loops from the first call.
     */
    static final Set<UnaryOp> GATED_UNARY_OPS = Collections.unmodifiableSet(
            EnumSet.of(UnaryOp.RELU, UnaryOp.STEP, UnaryOp.NEG, UnaryOp.ADD_SCALAR, UnaryOp.MUL_SCALAR));

    /** Tests only: null follows the gates, TRUE forces the vector kernels, FALSE the scalar ones. */
    private static volatile Boolean forced;
    private static volatile boolean started;

    private VectorWarmUp() {
    }

    /**
     * Starts the warm-up thread, once per JVM, if the warm-up is enabled and the Vector API runs the
     * GEMM and the elementwise kernels; otherwise opens every gate. Returns at once.
     */
    static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        if (!ENABLED) {
            return;
        }
        if (!Gemm.usesVectorApi() || !Simd.ENABLED) {
            openAll();
            return;
        }
        Thread thread = new Thread(VectorWarmUp::run, "tessera-vector-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether the GEMM register tiles, vector stores and packing may run on vectors. */
    static boolean gemmCompiled() {
        return compiled(() -> gemmOpen);
    }

    /** Whether the SGD update may run on vectors. */
    static boolean optimCompiled() {
        return compiled(() -> optimOpen);
    }

    /**
     * Whether the elementwise kernels that wait for the warm-up ({@link #GATED_UNARY_OPS}, the
     * binary ops, column sums) may run on vectors. They are probed after the GEMM and SGD kernels.
     */
    static boolean elementwiseCompiled() {
        return compiled(() -> elementwiseOpen);
    }

    /** The forced state in tests, else {@code gate} read once the warm-up has been started. */
    private static boolean compiled(BooleanSupplier gate) {
        Boolean f = forced;
        if (f != null) {
            return f;
        }
        startOnFirstUse();
        return gate.getAsBoolean();
    }

    /**
     * Waits until the GEMM kernels run at compiled speed (for timing them), at most
     * {@link #GIVE_UP_NANOS} after the warm-up started.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    static void awaitGemm() throws InterruptedException {
        startOnFirstUse();
        while (!gemmOpen) { // the warm-up thread opens every gate when it ends, at the latest
            Thread.sleep(5);
        }
    }

    /** Kernels used without the backend (tests of a single kernel class) start the warm-up too. */
    private static void startOnFirstUse() {
        if (!started) {
            start();
        }
    }

    /**
     * Tests only: {@code true} makes every gate report compiled, {@code false} none, {@code null}
     * restores the warm-up's state.
     */
    static void forceForTests(Boolean vector) {
        forced = vector;
    }

    private static void openAll() {
        gemmOpen = true;
        optimOpen = true;
        elementwiseOpen = true;
    }

    private static void run() {
        long start = System.nanoTime();
        try {
            WarmUpProbes probes = new WarmUpProbes();
            long deadline = start + GIVE_UP_NANOS;
            while (!(gemmOpen && optimOpen && elementwiseOpen) && System.nanoTime() < deadline) {
                if (!gemmOpen && probes.gemmCompiled()) {
                    gemmOpen = true;
                    LOG.debug("Tessera CPU: vector GEMM kernels compiled after {} ms", elapsedMillis(start));
                }
                if (!optimOpen && probes.optimCompiled()) {
                    optimOpen = true;
                    LOG.debug("Tessera CPU: vector SGD kernels compiled after {} ms", elapsedMillis(start));
                }
                // The elementwise kernels cost less boxed, and their probes would delay the others.
                boolean elementwiseTurn = gemmOpen && optimOpen;
                if (elementwiseTurn && probes.elementwiseCompiled()) {
                    elementwiseOpen = true;
                    LOG.debug("Tessera CPU: vector elementwise kernels compiled after {} ms", elapsedMillis(start));
                }
                if (probes.onlyWaiting(elementwiseTurn)) {
                    Thread.sleep(1);
                }
            }
            if (!(gemmOpen && optimOpen && elementwiseOpen)) {
                LOG.debug("Tessera CPU: vector kernels not at compiled speed after {} ms; using them anyway",
                        elapsedMillis(start));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Tessera CPU: the vector kernels' warm-up failed ({}); using them as they are", e.toString());
        } finally {
            openAll();
        }
    }

    private static long elapsedMillis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
