/*
 * Random fills with the counter-based SplitMix64 stream of dev.tessera.spi.SplitMix: element i
 * (row-major over the Layout) of a draw that starts at state s is mix(s + (i + 1) * GAMMA) >> 40
 * scaled by 2^-24, so every device gives the CPU's numbers bit for bit. The 64-bit state arrives
 * as two ints (low and high halves), since kernel arguments are ints, floats and pointers.
 */

#define SPLITMIX_GAMMA U64_C(0x9E3779B97F4A7C15)

/* SplitMix64's output function (SplitMix.mix). */
DEVICE U64 splitmix_mix(U64 z) {
    z = (z ^ (z >> 30)) * U64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * U64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* SplitMix.uniform(state, index): a float in [0, 1) with 24 random bits (exact: no rounding anywhere). */
DEVICE float splitmix_uniform(U64 state, int index) {
    U64 z = state + ((U64) index + U64_C(1)) * SPLITMIX_GAMMA;
    return (float) (splitmix_mix(z) >> 40) * 5.9604644775390625e-8f; /* 2^-24 */
}

DEVICE U64 splitmix_state(int lo, int hi) {
    return ((U64) (unsigned int) hi << 32) | (U64) (unsigned int) lo;
}

/*
 * out (operand 0) = low + range * u(i), range = high - low as the host computed it. The product
 * and the sum are separate statements so that no compiler fuses them into an fma (which would
 * round once instead of twice and differ from the CPU).
 */
KERNEL void fill_uniform(Layout L, int n, GLOBAL float* out, int stateLo, int stateHi, float low, float range) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    float u = splitmix_uniform(splitmix_state(stateLo, stateHi), i);
    float scaled = range * u;
    out[layout_offset(&L, 0, i)] = low + scaled;
}

/* out (operand 0) = u(i) >= p ? keep : 0: a dropout mask from the same draws as fill_uniform over [0, 1). */
KERNEL void fill_dropout_mask(Layout L, int n, GLOBAL float* out, int stateLo, int stateHi, float p, float keep) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    float u = splitmix_uniform(splitmix_state(stateLo, stateHi), i);
    out[layout_offset(&L, 0, i)] = u >= p ? keep : 0.0f;
}

/*
 * out (operand 1) = x (operand 0) * (u(i) >= p ? keep : 0): dropout in one pass, with the mask of
 * fill_dropout_mask (i row-major over the Layout); out may be x.
 */
KERNEL void dropout(Layout L, int n, GLOBAL const float* x, GLOBAL float* out, int stateLo, int stateHi, float p,
                    float keep) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    float u = splitmix_uniform(splitmix_state(stateLo, stateHi), i);
    float m = u >= p ? keep : 0.0f;
    out[layout_offset(&L, 1, i)] = x[layout_offset(&L, 0, i)] * m;
}
