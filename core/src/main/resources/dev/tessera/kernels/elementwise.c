/*
 * Elementwise kernels over strided views: fill, copy (with dtype conversion), unary, binary, where.
 * Every kernel takes (Layout L, int n, ...) and runs one work-item per element i < n; operand k of
 * the Layout is documented per kernel. Formulas follow dev.tessera.spi.UnaryOp / BinaryOp and the
 * CPU backend (NaN handling, SIGN(0) = 0, float-to-int truncation, wrapping int arithmetic).
 */

/* dev.tessera.spi.UnaryOp ordinals (checked by a test against the enum). */
#define U_NEG 0
#define U_ABS 1
#define U_SIGN 2
#define U_EXP 3
#define U_LOG 4
#define U_SQRT 5
#define U_RSQRT 6
#define U_RECIPROCAL 7
#define U_SIN 8
#define U_COS 9
#define U_TANH 10
#define U_SIGMOID 11
#define U_SOFTPLUS 12
#define U_RELU 13
#define U_STEP 14
#define U_LEAKY_RELU 15
#define U_ELU 16
#define U_GELU 17
#define U_GELU_GRAD 18
#define U_ADD_SCALAR 19
#define U_MUL_SCALAR 20
#define U_DIV_SCALAR 21
#define U_RSUB_SCALAR 22
#define U_RDIV_SCALAR 23
#define U_POW_SCALAR 24
#define U_CLAMP_MIN 25
#define U_CLAMP_MAX 26

/* dev.tessera.spi.BinaryOp ordinals (checked by a test against the enum). */
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_EQ 7
#define B_NE 8
#define B_LT 9
#define B_LE 10
#define B_GT 11
#define B_GE 12

#define INV_SQRT2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

/* Phi(x), the standard normal CDF, from erfc so that the negative tail keeps its relative precision. */
DEVICE float normal_cdf(float x) {
    float tail = 0.5f * erfc(fabs(x) * INV_SQRT2);
    return x >= 0.0f ? 1.0f - tail : tail;
}

DEVICE float apply_unary(int op, float p, float v) {
    switch (op) {
        case U_NEG: return -v;
        case U_ABS: return fabs(v);
        case U_SIGN: return isnan(v) ? v : (v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v));
        case U_EXP: return exp(v);
        case U_LOG: return log(v);
        case U_SQRT: return sqrt(v);
        case U_RSQRT: return 1.0f / sqrt(v);
        case U_RECIPROCAL: return 1.0f / v;
        case U_SIN: return sin(v);
        case U_COS: return cos(v);
        case U_TANH: return tanh(v);
        case U_SIGMOID: {
            float e = exp(-fabs(v));
            float s = 1.0f / (e + 1.0f);
            return v >= 0.0f ? s : e * s;
        }
        case U_SOFTPLUS: {
            float y = exp(-fabs(v));
            float u = y + 1.0f;
            float l = u == 1.0f ? y : log(u) * (y / (u - 1.0f));
            return (isnan(v) ? v : (v > 0.0f ? v : 0.0f)) + l;
        }
        case U_RELU: return isnan(v) ? v : (v > 0.0f ? v : 0.0f);
        case U_STEP: return v > 0.0f ? 1.0f : 0.0f;
        case U_LEAKY_RELU: return v > 0.0f ? v : p * v;
        case U_ELU: {
            if (v > 0.0f) {
                return v;
            }
            /* expm1 without cancellation near 0: Taylor series below |v| = 0.5, as the CPU does */
            float em1;
            if (fabs(v) < 0.5f) {
                float t = ((((((v * (1.0f / 40320.0f) + 1.0f / 5040.0f) * v + 1.0f / 720.0f) * v + 1.0f / 120.0f) * v
                        + 1.0f / 24.0f) * v + 1.0f / 6.0f) * v + 0.5f);
                em1 = v * v * t + v;
            } else {
                em1 = exp(v) - 1.0f;
            }
            return p * em1;
        }
        case U_GELU: return v * normal_cdf(v);
        case U_GELU_GRAD: return normal_cdf(v) + v * INV_SQRT_2PI * exp(-0.5f * v * v);
        case U_ADD_SCALAR: return v + p;
        case U_MUL_SCALAR: return v * p;
        case U_DIV_SCALAR: return v / p;
        case U_RSUB_SCALAR: return p - v;
        case U_RDIV_SCALAR: return p / v;
        case U_POW_SCALAR: return p == 2.0f ? v * v : pow(v, p);
        case U_CLAMP_MIN: return isnan(v) ? v : (v > p ? v : p);
        case U_CLAMP_MAX: return isnan(v) ? v : (v < p ? v : p);
        default: return QUIET_NAN;
    }
}

DEVICE float apply_binary(int op, float x, float y) {
    switch (op) {
        case B_ADD: return x + y;
        case B_SUB: return x - y;
        case B_MUL: return x * y;
        case B_DIV: return x / y;
        case B_POW: return y == 2.0f ? x * x : pow(x, y);
        case B_MAXIMUM: return isnan(x) || isnan(y) ? QUIET_NAN : (x > y ? x : y);
        case B_MINIMUM: return isnan(x) || isnan(y) ? QUIET_NAN : (x < y ? x : y);
        case B_EQ: return x == y ? 1.0f : 0.0f;
        case B_NE: return x != y ? 1.0f : 0.0f;
        case B_LT: return x < y ? 1.0f : 0.0f;
        case B_LE: return x <= y ? 1.0f : 0.0f;
        case B_GT: return x > y ? 1.0f : 0.0f;
        case B_GE: return x >= y ? 1.0f : 0.0f;
        default: return QUIET_NAN;
    }
}

/* Java's int arithmetic: wraps on overflow (computed in unsigned to stay defined in C). */
DEVICE int apply_binary_int(int op, int x, int y) {
    switch (op) {
        case B_ADD: return (int) ((unsigned int) x + (unsigned int) y);
        case B_SUB: return (int) ((unsigned int) x - (unsigned int) y);
        case B_MUL: return (int) ((unsigned int) x * (unsigned int) y);
        case B_MAXIMUM: return x > y ? x : y;
        case B_MINIMUM: return x < y ? x : y;
        default: return 0;
    }
}

/* Reads element at o of a storage that holds floats, or ints when isInt (converted to float). */
DEVICE float load_as_float(GLOBAL const float* p, int isInt, int o) {
    return isInt ? (float) ((GLOBAL const int*) p)[o] : p[o];
}

/* out (operand 0) = value; out holds ints when isInt (value truncated by the host). */
KERNEL void fill(Layout L, int n, GLOBAL float* out, int isInt, float value, int intValue) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int o = layout_offset(&L, 0, i);
    if (isInt) {
        ((GLOBAL int*) out)[o] = intValue;
    } else {
        out[o] = value;
    }
}

/*
 * out (operand 1) = src (operand 0), converting: same dtype copies the 32-bit pattern, int to
 * float converts, float to int truncates toward 0 (NaN to 0, saturating).
 */
KERNEL void copy(Layout L, int n, GLOBAL const float* src, int srcInt, GLOBAL float* out, int outInt) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int s = layout_offset(&L, 0, i);
    int o = layout_offset(&L, 1, i);
    if (srcInt == outInt) {
        ((GLOBAL int*) out)[o] = ((GLOBAL const int*) src)[s];
    } else if (srcInt) {
        out[o] = (float) ((GLOBAL const int*) src)[s];
    } else {
        ((GLOBAL int*) out)[o] = float_to_int(src[s]);
    }
}

/* out (operand 1) = op(x (operand 0), p). */
KERNEL void unary(Layout L, int n, int op, float p, GLOBAL const float* x, GLOBAL float* out) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    out[layout_offset(&L, 1, i)] = apply_unary(op, p, x[layout_offset(&L, 0, i)]);
}

/* out (operand 2) = op(a (operand 0), b (operand 1)); a or b may hold ints (aInt, bInt), read as floats. */
KERNEL void binary(Layout L, int n, int op, GLOBAL const float* a, int aInt, GLOBAL const float* b, int bInt,
                   GLOBAL float* out) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    float x = load_as_float(a, aInt, layout_offset(&L, 0, i));
    float y = load_as_float(b, bInt, layout_offset(&L, 1, i));
    out[layout_offset(&L, 2, i)] = apply_binary(op, x, y);
}

/* Integer arithmetic: out (operand 2) = op(a (operand 0), b (operand 1)), all ints. */
KERNEL void binary_int(Layout L, int n, int op, GLOBAL const int* a, GLOBAL const int* b, GLOBAL int* out) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    out[layout_offset(&L, 2, i)] = apply_binary_int(op, a[layout_offset(&L, 0, i)], b[layout_offset(&L, 1, i)]);
}

/* out (operand 3) = cond (operand 0, floats or ints) != 0 ? a (operand 1) : b (operand 2). */
KERNEL void where_select(Layout L, int n, GLOBAL const float* cond, int condInt, GLOBAL const float* a,
                         GLOBAL const float* b, GLOBAL float* out) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    float c = load_as_float(cond, condInt, layout_offset(&L, 0, i));
    out[layout_offset(&L, 3, i)] = c != 0.0f ? a[layout_offset(&L, 1, i)] : b[layout_offset(&L, 2, i)];
}
