package dev.tessera.nn;

import dev.tessera.Fused;
import dev.tessera.Generator;
import dev.tessera.Tensor;

/**
 * Inverted dropout, like {@code torch.nn.Dropout}: in training mode each element is zeroed with
 * probability {@code p} and the kept ones are scaled by {@code 1 / (1 - p)}, so the expected value
 * is unchanged; in eval mode the input is returned as is.
 *
 * <p>The mask is drawn on the input's device from this module's {@link Generator} (one uniform per
 * element, kept where {@code u >= p}); the same seed gives the same masks on every device.
 * Drawing is synchronised on the generator, so concurrent training-mode calls do not corrupt it
 * (their masks then depend on the interleaving).
 */
public class Dropout extends Module implements Stochastic {
    private final float p;
    private final Generator generator;

    /** Creates a dropout layer with drop probability {@code p}, its generator seeded from {@link Random}. */
    public Dropout(double p) {
        this(p, Random.newGenerator());
    }

    /**
     * Creates a dropout layer with drop probability {@code p} drawing its masks from {@code generator}
     * (which it advances on every training-mode call).
     *
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1]}
     */
    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability p must be in [0, 1], got " + p);
        }
        this.p = (float) p;
        this.generator = generator;
    }

    @Override
    public Generator generator() {
        return generator;
    }

    /** Returns the drop probability. */
    public double p() {
        return p;
    }

    /**
     * Returns {@code input * mask / (1 - p)} in training mode (a new tensor; all zeros for {@code
     * p = 1}), else {@code input} itself.
     */
    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0f) {
            return input;
        }
        if (p == 1f) {
            return input.mul(0f);
        }
        synchronized (generator) {
            return Fused.dropout(input, generator, p, 1f / (1f - p));
        }
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}
