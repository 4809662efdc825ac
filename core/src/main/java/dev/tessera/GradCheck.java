package dev.tessera;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Checks autograd gradients against central finite differences.
 *
 * <p>The function's output is reduced to the scalar {@code L = sum(f(x) * w)} with fixed random
 * weights {@code w} (so every output element matters and errors cannot cancel), {@code dL/dx} is
 * computed by {@link Tensor#backward()}, and compared element by element with {@code (L(x + eps) -
 * L(x - eps)) / 2 eps}, where each {@code L} is accumulated in double precision. A gradient passes
 * when {@code |analytic - numeric| <= atol + rtol * |numeric|}.
 *
 * <p>Inputs are FLOAT32 leaves; INT32 inputs (indices, labels) are passed through unchanged and
 * not checked. The function may build views, broadcast, and call any op. Keep inputs away from
 * kinks (ReLU at 0, max ties) by more than {@code eps}.
 */
public final class GradCheck {
    /** Default step: large enough that float32 rounding stays well below the tolerance. */
    public static final double DEFAULT_EPS = 1e-2;
    /** Default absolute tolerance. */
    public static final double DEFAULT_ATOL = 5e-3;
    /** Default relative tolerance. */
    public static final double DEFAULT_RTOL = 1e-2;

    private GradCheck() {
    }

    /**
     * The outcome of a check.
     *
     * @param passed        true when every element was within tolerance
     * @param maxAbsError   the largest {@code |analytic - numeric|} seen
     * @param firstMismatch a description of the first failing element, or null
     */
    public record Result(boolean passed, double maxAbsError, String firstMismatch) {
    }

    /**
     * Checks {@code f} at {@code inputs} with the default tolerances; throws {@link AssertionError}
     * naming the first mismatching input and element. The inputs are not modified.
     */
    public static void assertGradients(Function<Tensor[], Tensor> f, Tensor... inputs) {
        Result r = check(f, DEFAULT_EPS, DEFAULT_ATOL, DEFAULT_RTOL, inputs);
        if (!r.passed()) {
            throw new AssertionError("gradient check failed: " + r.firstMismatch());
        }
    }

    /**
     * Checks {@code f} at {@code inputs}; returns the result without throwing. The inputs are not
     * modified: the check works on copies.
     */
    public static Result check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        Tensor[] leaves = new Tensor[inputs.length];
        float[][] data = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].dtype() == DType.FLOAT32) {
                data[i] = inputs[i].toFloatArray();
                leaves[i] = leaf(data[i], inputs[i]).requiresGrad(true);
            } else {
                leaves[i] = inputs[i].detach();
            }
        }
        Tensor out = f.apply(leaves);
        double[] weights = weights(Shape.numel(out.shape));
        out.mul(Creation.exact(out.backend, toFloats(weights), out.shape)).sum().backward();

        double maxErr = 0;
        String mismatch = null;
        for (int i = 0; i < inputs.length; i++) {
            if (data[i] == null) {
                continue;
            }
            float[] analytic = leaves[i].grad() == null ? new float[data[i].length] : leaves[i].grad().toFloatArray();
            for (int j = 0; j < data[i].length; j++) {
                float saved = data[i][j];
                data[i][j] = (float) (saved + eps);
                double plus = loss(f, inputs, data, weights);
                data[i][j] = (float) (saved - eps);
                double minus = loss(f, inputs, data, weights);
                data[i][j] = saved;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(analytic[j] - numeric);
                maxErr = Math.max(maxErr, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
                if ((!(err <= atol + rtol * Math.abs(numeric))) && mismatch == null) {
                    mismatch = "input " + i + " (shape " + Shape.str(inputs[i].shape) + "), element " + j
                            + " (index " + Arrays.toString(unravel(j, inputs[i].shape)) + "): analytic " + analytic[j]
                            + ", numeric " + numeric + ", difference " + err;
                }
            }
        }
        return new Result(mismatch == null, maxErr, mismatch);
    }

    private static Tensor leaf(float[] values, Tensor like) {
        return Creation.exact(like.backend, values.clone(), like.shape);
    }

    private static double loss(Function<Tensor[], Tensor> f, Tensor[] inputs, float[][] data, double[] weights) {
        Tensor[] args = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            args[i] = data[i] == null ? inputs[i].detach() : leaf(data[i], inputs[i]);
        }
        float[] y;
        try (GradMode ignored = Tensor.noGrad()) {
            y = f.apply(args).toFloatArray();
        }
        double sum = 0;
        for (int k = 0; k < y.length; k++) {
            sum += (double) y[k] * weights[k];
        }
        return sum;
    }

    private static double[] weights(int n) {
        Generator g = new Generator(0x5EEDL);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            // In [0.5, 1.5): no element is ignored, none dominates; float-exact so both sides use the same w.
            w[i] = (float) (0.5 + g.nextDouble());
        }
        return w;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
