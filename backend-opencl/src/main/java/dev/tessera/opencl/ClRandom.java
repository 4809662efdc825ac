package dev.tessera.opencl;

import dev.tessera.spi.KernelLayout;
import dev.tessera.spi.View;

/**
 * Random fills on an OpenCL device with the counter-based stream of {@link
 * dev.tessera.spi.SplitMix} (random.c): element {@code i} of {@code out} in row-major order is a
 * function of {@code (state, i)} alone, so a seed gives bit for bit the CPU's numbers.
 */
final class ClRandom {
    private static final String FILE = "random.c";

    private ClRandom() {
    }

    /** See {@link dev.tessera.spi.Backend#fillUniform}; writes {@code out} (any strides). */
    static void fillUniform(OpenClBackend b, View out, long state, float low, float high) {
        float range = high - low; // as the CPU computes it
        b.kernels().launchStrided(FILE, "fill_uniform", out.shape(), KernelLayout.strides(out), KernelLayout.offsets(out),
                ClFused.buffer(b, out, "fillUniform"), (int) state, (int) (state >>> 32), low, range);
    }

    /** See {@link dev.tessera.spi.Backend#fillDropoutMask}; writes {@code out} (any strides). */
    static void fillDropoutMask(OpenClBackend b, View out, long state, float p, float keep) {
        b.kernels().launchStrided(FILE, "fill_dropout_mask", out.shape(), KernelLayout.strides(out), KernelLayout.offsets(out),
                ClFused.buffer(b, out, "fillDropoutMask"), (int) state, (int) (state >>> 32), p, keep);
    }
}
