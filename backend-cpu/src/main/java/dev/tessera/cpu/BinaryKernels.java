package dev.tessera.cpu;

import dev.tessera.spi.BinaryOp;

/** Elementwise functions of two arguments on float arrays; comparisons give 1 or 0. */
final class BinaryKernels {
    private BinaryKernels() {
    }

    /** {@code out[oo + i*os] = op(a[ao + i*as], b[bo + i*bs])} for {@code i < n}. */
    static void row(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n) {
        row(op, a, ao, as, b, bo, bs, out, oo, os, n, Simd.ENABLED);
    }

    /**
     * As {@link #row(BinaryOp, float[], int, int, float[], int, int, float[], int, int, int)};
     * {@code simd} allows the Vector API loops of {@link VectorBinary} for a contiguous output
     * with operands of stride 1 or 0 (a broadcast value), whatever the op; it must be false where
     * {@link Simd#ENABLED} is.
     */
    static void row(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int os, int n,
                    boolean simd) {
        // Explicit vectors first: see UnaryKernels.row for why the plain loops stay scalar.
        // Until the warm-up has them compiled the vector loops wait (the scalar ones give the same bits).
        if (simd && os == 1 && n >= Simd.MIN_LENGTH && VectorWarmUp.elementwiseCompiled()
                && VectorBinary.row(op, a, ao, as, b, bo, bs, out, oo, n)) {
            return;
        }
        if (as == 1 && os == 1 && (bs == 1 || bs == 0) && fast(op, a, ao, b, bo, bs, out, oo, n)) {
            return;
        }
        for (int i = 0; i < n; i++) {
            out[oo + i * os] = apply(op, a[ao + i * as], b[bo + i * bs]);
        }
    }

    /** Tight scalar loops for the arithmetic ops on contiguous rows, with b contiguous or a broadcast scalar. */
    private static boolean fast(BinaryOp op, float[] a, int ao, float[] b, int bo, int bs, float[] out, int oo, int n) {
        if (bs == 0) {
            float s = b[bo];
            switch (op) {
                case ADD -> {
                    for (int i = 0; i < n; i++) {
                        out[oo + i] = a[ao + i] + s;
                    }
                }
                case SUB -> {
                    for (int i = 0; i < n; i++) {
                        out[oo + i] = a[ao + i] - s;
                    }
                }
                case MUL -> {
                    for (int i = 0; i < n; i++) {
                        out[oo + i] = a[ao + i] * s;
                    }
                }
                case DIV -> {
                    for (int i = 0; i < n; i++) {
                        out[oo + i] = a[ao + i] / s;
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }
        switch (op) {
            case ADD -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = a[ao + i] + b[bo + i];
                }
            }
            case SUB -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = a[ao + i] - b[bo + i];
                }
            }
            case MUL -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = a[ao + i] * b[bo + i];
                }
            }
            case DIV -> {
                for (int i = 0; i < n; i++) {
                    out[oo + i] = a[ao + i] / b[bo + i];
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** One element of {@code op}. */
    static float apply(BinaryOp op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> y == 2f ? x * x : (float) Math.pow(x, y);
            case MAXIMUM -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.max(x, y);
            case MINIMUM -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.min(x, y);
            case EQ -> x == y ? 1f : 0f;
            case NE -> x != y ? 1f : 0f;
            case LT -> x < y ? 1f : 0f;
            case LE -> x <= y ? 1f : 0f;
            case GT -> x > y ? 1f : 0f;
            case GE -> x >= y ? 1f : 0f;
        };
    }

    /** One element of integer arithmetic (ADD, SUB, MUL, MAXIMUM, MINIMUM), wrapping like Java ints. */
    static int applyInt(BinaryOp op, int x, int y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case MAXIMUM -> Math.max(x, y);
            case MINIMUM -> Math.min(x, y);
            default -> throw new IllegalArgumentException("cpu backend: " + op + " has no integer form");
        };
    }
}
