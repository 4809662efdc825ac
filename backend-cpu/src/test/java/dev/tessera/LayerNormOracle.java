package dev.tessera;

/** PyTorch's layer-norm formulas in double precision, for tests: the output and the three gradients. */
public final class LayerNormOracle {
    private LayerNormOracle() {
    }

    /**
     * Layer norm over rows of length {@code n}: returns {@code {y, gradX, gradWeight, gradBias}} for
     * the input {@code x}, weight {@code w} and bias {@code b} (null: none) and the output gradient
     * {@code go}.
     */
    public static double[][] of(float[] x, float[] w, float[] b, float[] go, int n, double eps) {
        int rows = x.length / n;
        double[] y = new double[x.length];
        double[] gx = new double[x.length];
        double[] gw = new double[n];
        double[] gb = new double[n];
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int j = 0; j < n; j++) {
                mean += x[r * n + j];
            }
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                var += (x[r * n + j] - mean) * (x[r * n + j] - mean);
            }
            double rstd = 1 / Math.sqrt(var / n + eps);
            double sumG = 0;
            double sumGx = 0;
            for (int j = 0; j < n; j++) {
                double xhat = (x[r * n + j] - mean) * rstd;
                double wj = w == null ? 1 : w[j];
                y[r * n + j] = xhat * wj + (b == null ? 0 : b[j]);
                double g = go[r * n + j] * wj;
                sumG += g;
                sumGx += g * xhat;
                gw[j] += go[r * n + j] * xhat;
                gb[j] += go[r * n + j];
            }
            for (int j = 0; j < n; j++) {
                double xhat = (x[r * n + j] - mean) * rstd;
                double g = go[r * n + j] * (w == null ? 1 : w[j]);
                gx[r * n + j] = rstd * (g - sumG / n - xhat * sumGx / n);
            }
        }
        return new double[][] {y, gx, gw, gb};
    }
}
