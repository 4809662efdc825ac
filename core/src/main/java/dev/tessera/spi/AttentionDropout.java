package dev.tessera.spi;

/**
 * Dropout of the attention probabilities inside {@link Backend#attention}: probability {@code
 * [i]} (its index in row-major order over every problem of a {@code [..., L, S]} probabilities
 * view) is multiplied by {@code keep} when {@code SplitMix.uniform(state, i) >= p} and by 0
 * otherwise. These are exactly the factors {@link Backend#fillDropoutMask} writes for the same
 * state, so a fused kernel drops what the composed ops would.
 *
 * @param state the first state of the draw, from {@link dev.tessera.Generator#reserve} of {@code
 *              batch * L * S} numbers
 * @param p     the probability of dropping, in {@code [0, 1]}
 * @param keep  the factor of a kept probability, {@code 1 / (1 - p)} (0 when {@code p} is 1)
 */
public record AttentionDropout(long state, float p, float keep) {

    /**
     * Checks {@code p}.
     *
     * @throws IllegalArgumentException if {@code p} is not in {@code [0, 1]}
     */
    public AttentionDropout {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("attention dropout: p must be in [0, 1], got " + p);
        }
    }

    /**
     * The dropout of {@code p} with inverted scaling: kept probabilities are multiplied by {@code
     * 1 / (1 - p)}, or all dropped when {@code p} is 1.
     *
     * @param state the first state of the draw
     * @param p     the probability of dropping, in {@code [0, 1]}
     * @return a new value
     */
    public static AttentionDropout inverted(long state, float p) {
        return new AttentionDropout(state, p, p >= 1f ? 0f : 1f / (1f - p));
    }

    /**
     * The same draw seen from element {@code index} on: element {@code i} of the result is element
     * {@code index + i} of this one. A kernel that runs part of the problems uses it with the
     * part's first element.
     *
     * @param index elements to skip, {@code >= 0}
     * @return a new value; this one is not modified
     */
    public AttentionDropout from(long index) {
        return new AttentionDropout(state + index * SplitMix.GAMMA, p, keep);
    }
}
