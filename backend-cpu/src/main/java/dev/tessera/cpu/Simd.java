package dev.tessera.cpu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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

    /**
     * True when, in addition, {@code lanewise(EXP/LOG/TANH/...)} are compiled to vector math stubs.
     * JDK 17 has them only on x86-64, from the SVML library it ships as {@code libjsvml}: measured
     * there (AVX-512, 16 lanes) at 0.26-0.47 ns per element and within 0.8 ulp of the correctly
     * rounded result. Elsewhere the JDK computes those operators one lane at a time through
     * {@code Math}, about 2x slower than the scalar loops, so the transcendental ops stay scalar.
     */
    static final boolean MATH = ENABLED && svmlPresent();

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

    /** Whether this JVM ships the SVML stubs behind the Vector API's math operators (JDK 17+, x86-64). */
    private static boolean svmlPresent() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return false;
        }
        Path home = Path.of(System.getProperty("java.home", ""));
        return Files.exists(home.resolve("lib").resolve("libjsvml.so"))
                || Files.exists(home.resolve("bin").resolve("jsvml.dll"));
    }
}
