package dev.tessera.nn;

import dev.tessera.Shape;

/** Argument checks and formatting shared by the pooling layers. */
final class PoolArgs {
    private PoolArgs() {
    }

    /** Returns a copy of {@code v} after checking it holds 2 values {@code >= min}. */
    static int[] check(String layer, String name, int[] v, int min) {
        if (v == null || v.length != 2 || v[0] < min || v[1] < min) {
            throw new IllegalArgumentException(layer + ": " + name + " must be 2 values >= " + min + ", got "
                    + (v == null ? "null" : Shape.str(v)));
        }
        return v.clone();
    }

    /** {@code 2} for a square pair, {@code (2, 3)} otherwise, as PyTorch prints them. */
    static String str(int[] v) {
        return v[0] == v[1] ? String.valueOf(v[0]) : "(" + v[0] + ", " + v[1] + ")";
    }
}
