/*
 * Definitions shared by every Tessera kernel file (included after the prelude).
 *
 * Strided views: an elementwise kernel over a tensor of shape [d0, ..., d(r-1)] gets one Layout
 * (by value) describing up to LAYOUT_OPERANDS views of that shape: element i (row-major) of
 * operand k lives at offset[k] + sum_d coord_d(i) * stride[k][d]. The host merges dimensions that
 * are contiguous in every operand and drops size-1 dimensions first, so a contiguous tensor
 * arrives as rank 1 with stride 1 (the fast path); ranks above LAYOUT_MAX_RANK are split by the
 * host into several launches.
 */
#ifndef TESSERA_COMMON
#define TESSERA_COMMON

#define LAYOUT_MAX_RANK 8
#define LAYOUT_OPERANDS 4

typedef struct {
    int rank;
    int shape[LAYOUT_MAX_RANK];
    int offset[LAYOUT_OPERANDS];
    int stride[LAYOUT_OPERANDS][LAYOUT_MAX_RANK];
} Layout;

/* Offset of element i (row-major over L->shape) in operand k. */
DEVICE int layout_offset(const Layout* L, int k, int i) {
    if (L->rank == 1) {
        return L->offset[k] + i * L->stride[k][0];
    }
    int off = L->offset[k];
    for (int d = L->rank - 1; d >= 0; d--) {
        int s = L->shape[d];
        off += (i % s) * L->stride[k][d];
        i /= s;
    }
    return off;
}

/* Java's (int) f: truncation toward 0, NaN gives 0, out-of-range values saturate. */
DEVICE int float_to_int(float f) {
    if (isnan(f)) {
        return 0;
    }
    if (f >= 2147483648.0f) {
        return 2147483647;
    }
    if (f <= -2147483648.0f) {
        return (-2147483647 - 1);
    }
    return (int) f;
}

/*
 * Error reporting from kernels, which cannot throw: err points at the backend's error buffer
 * {flag, code, index, size, axis}; the first error wins (later ones are dropped) and the host
 * turns it into an exception at its next synchronisation.
 */
#define ERR_GATHER 1
#define ERR_SCATTER_ADD 2

DEVICE void report_error(GLOBAL int* err, int code, int index, int size, int axis) {
    if (ATOMIC_CAS(err, 0, -1) == 0) {
        err[1] = code;
        err[2] = index;
        err[3] = size;
        err[4] = axis;
        /* flag last: the host reads all five after the queue has finished, so order only matters on paper */
        err[0] = 1;
    }
}

#endif
