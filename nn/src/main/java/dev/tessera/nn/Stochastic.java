package dev.tessera.nn;

import dev.tessera.Generator;

/**
 * A module that draws random numbers while it runs (dropout masks, for instance). Training
 * checkpoints save and restore its generator's state, so a resumed run draws the same numbers as
 * an uninterrupted one.
 */
public interface Stochastic {
    /** Returns the generator this module draws from (shared, not a copy). */
    Generator generator();
}
