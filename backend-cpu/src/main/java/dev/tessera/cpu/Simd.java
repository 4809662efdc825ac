package dev.tessera.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides once per JVM whether the elementwise, reduction and softmax kernels may use their Java
 * Vector API paths ({@link VectorUnary}, {@link VectorBinary}, {@link VectorReduce},
 * {@link VectorSoftmax}).
 *
 * <p>This class refers to no {@code jdk.incubator.vector} type: the vector classes are loaded
 * only after {@link #ENABLED} has checked that the module is in the boot layer (the same guard as
 * {@link Gemm} uses for {@link VectorGemm}), so the backend keeps working, with its scalar loops,
 * on a JVM started without {@code --add-modules jdk.incubator.vector}.
 *
 * <p>{@code -Dtessera.simd=false} turns the vector paths off (to compare, or to work around a JIT
 * problem); GEMM has its own switch, {@link Gemm#IMPLEMENTATION_PROPERTY}.
 */
final class Simd {
    private static final Logger LOG = LoggerFactory.getLogger(Simd.class);

    /** The system property that turns the vector paths off when {@code false}. */
    static final String PROPERTY = "tessera.simd";

    /** Fewest float lanes for which the vector loops pay: with fewer the API runs as boxed objects. */
    private static final int MIN_LANES = 4;

    /**
     * Shortest contiguous run handed to a vector path. Below it the scalar loop is as fast, and it
     * keeps the (slow, not yet JIT-compiled) vector code out of the many tiny calls made at startup.
     */
    static final int MIN_LENGTH = 32;

    /** True when the Vector API paths may run: the module is present, not disabled, and SIMD-wide. */
    static final boolean ENABLED = probe();

    private Simd() {
    }

    private static boolean probe() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) {
            LOG.debug("Tessera CPU elementwise kernels: vector paths disabled by -D{}=false", PROPERTY);
            return false;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return false; // Gemm already tells the user about the missing module, once
        }
        try {
            // First reference to a vector class: only here, after the module check, are they loaded.
            int lanes = VectorUnary.lanes();
            LOG.debug("Tessera CPU elementwise kernels: Java Vector API, {} float lanes", lanes);
            return lanes >= MIN_LANES;
        } catch (LinkageError | RuntimeException e) {
            LOG.warn("Tessera CPU elementwise kernels: the Java Vector API failed to initialise ({}); using scalar loops",
                    e.toString());
            return false;
        }
    }
}
