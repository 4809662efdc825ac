package dev.tessera;

import java.util.Locale;

/** Formats tensors for {@link Tensor#toString()} like PyTorch, summarising large ones. */
final class TensorFormat {
    private static final int SUMMARY_THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        boolean ints = t.dtype == DType.INT32;
        // INT32 values are read as ints so that large ones print exactly (a float holds 24 bits).
        double[] values = ints ? java.util.Arrays.stream(t.toIntArray()).asDoubleStream().toArray() : toDoubles(t.toFloatArray());
        boolean summarise = values.length > SUMMARY_THRESHOLD;
        if (t.dim() == 0) {
            sb.append(number(values[0], ints));
        } else {
            append(sb, values, t.shape, Shape.contiguousStrides(t.shape), 0, 0, summarise, ints, "tensor(".length());
        }
        if (ints) {
            sb.append(", dtype=int32");
        }
        if (!t.device().equals(Device.cpu())) {
            sb.append(", device=").append(t.device());
        }
        if (t.gradFn != null) {
            sb.append(", gradFn=").append(t.gradFn);
        } else if (t.requiresGrad) {
            sb.append(", requiresGrad=true");
        }
        return sb.append(')').toString();
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static void append(StringBuilder sb, double[] v, int[] shape, int[] strides, int dim, int base,
            boolean summarise, boolean ints, int indent) {
        sb.append('[');
        int n = shape[dim];
        for (int i = 0; i < n; i++) {
            if (summarise && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                sb.append("...");
                i = n - EDGE_ITEMS - 1;
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
                continue;
            }
            if (dim == shape.length - 1) {
                sb.append(number(v[base + i * strides[dim]], ints));
            } else {
                append(sb, v, shape, strides, dim + 1, base + i * strides[dim], summarise, ints, indent);
            }
            if (i < n - 1) {
                sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }

    private static String number(double value, boolean ints) {
        if (ints) {
            return Long.toString((long) value);
        }
        float x = (float) value;
        if (Float.isNaN(x) || Float.isInfinite(x)) {
            return Float.toString(x).toLowerCase(Locale.ROOT).replace("infinity", "inf");
        }
        float a = Math.abs(x);
        return a != 0 && (a >= 1e6f || a < 1e-4f) ? String.format(Locale.ROOT, "%.4e", x) : String.format(Locale.ROOT, "%.4f", x);
    }
}
