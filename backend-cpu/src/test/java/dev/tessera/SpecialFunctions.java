package dev.tessera;

/**
 * Reference scalar functions in double precision for the activation tests: the logistic
 * function, softplus, and an erf accurate to near double precision (Maclaurin series below 3, the
 * Laplace continued fraction for erfc above), from which the exact GELU and its derivative follow.
 * Written independently of the library's own erf approximation.
 */
final class SpecialFunctions {
    private SpecialFunctions() {
    }

    static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }

    static double softplus(double x) {
        return x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** erf to near double precision: Maclaurin series for |x| < 3, the erfc continued fraction beyond. */
    static double erf(double x) {
        double z = Math.abs(x);
        double r;
        if (z < 3) {
            double term = z;
            double s = z;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
                term *= -z * z / n;
                s += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * s;
        } else {
            r = 1 - erfcLarge(z);
        }
        return x < 0 ? -r : r;
    }

    /** erfc(z) for z >= 3 by the Laplace continued fraction (modified Lentz). */
    static double erfcLarge(double z) {
        // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + ...)))))
        double tiny = 1e-300;
        double f = z;
        double c = z;
        double d = 0;
        for (int n = 1; n < 500; n++) {
            double an = n / 2.0;
            d = z + an * d;
            d = d == 0 ? tiny : d;
            c = z + an / c;
            c = c == 0 ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }

    /** The standard normal CDF, accurate in the lower tail. */
    static double phi(double x) {
        if (x < -3 * Math.sqrt(2)) {
            return 0.5 * erfcLarge(-x / Math.sqrt(2));
        }
        return 0.5 * (1 + erf(x / Math.sqrt(2)));
    }

    static double gelu(double x) {
        return x * phi(x);
    }

    static double geluGrad(double x) {
        return phi(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
    }
}
