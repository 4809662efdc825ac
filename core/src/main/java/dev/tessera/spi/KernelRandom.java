package dev.tessera.spi;

/**
 * Random fills on a device of a {@link KernelBackend} with the counter-based stream of {@link SplitMix} (random.c): element {@code i} of {@code out} in row-major order is a
 * function of {@code (state, i)} alone, so a seed gives bit for bit the CPU's numbers.
 */
final class KernelRandom {
    private static final String FILE = "random.c";

    private KernelRandom() {
    }

    /** See {@link Backend#fillUniform}; writes {@code out} (any strides). */
    static void fillUniform(KernelBackend<?> b, View out, long state, float low, float high) {
        float range = high - low; // as the CPU computes it
        b.kernels().launchStrided(FILE, "fill_uniform", out.shape(), KernelLayout.strides(out), KernelLayout.offsets(out),
                b.buffer(out, "fillUniform"), (int) state, (int) (state >>> 32), low, range);
    }

    /** See {@link Backend#fillDropoutMask}; writes {@code out} (any strides). */
    static void fillDropoutMask(KernelBackend<?> b, View out, long state, float p, float keep) {
        b.kernels().launchStrided(FILE, "fill_dropout_mask", out.shape(), KernelLayout.strides(out), KernelLayout.offsets(out),
                b.buffer(out, "fillDropoutMask"), (int) state, (int) (state >>> 32), p, keep);
    }

    /** See {@link Backend#dropout}: writes {@code out = x * mask} in one launch (any strides; out may be x). */
    static void dropout(KernelBackend<?> b, View x, long state, float p, float keep, View out) {
        b.kernels().launchStrided(FILE, "dropout", out.shape(), KernelLayout.strides(x, out), KernelLayout.offsets(x, out),
                b.buffer(x, "dropout"), b.buffer(out, "dropout"), (int) state, (int) (state >>> 32), p, keep);
    }
}
