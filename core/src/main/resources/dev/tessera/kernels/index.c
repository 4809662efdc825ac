/*
 * Gather and scatter-add along one axis (torch.gather and its adjoint). Indices come from device
 * memory, so a bad one cannot throw here: it is recorded with report_error (common.h) and the
 * host throws at its next synchronisation; the element it would have touched is left alone (a
 * gather writes 0 there).
 */

/*
 * out[p] = x[p with p[axis] = index[p]], one work-item per element of out. Layout operands:
 * 0 = x with its stride along axis set to 0 (axisStride is added per element), 1 = index, 2 = out.
 * isInt: x and out hold ints (copied as 32-bit patterns).
 */
KERNEL void gather(Layout L, int n, GLOBAL const float* x, int axisStride, int size, int axis, int isInt,
                   GLOBAL const int* index, GLOBAL float* out, GLOBAL int* err) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    int k = index[layout_offset(&L, 1, i)];
    int o = layout_offset(&L, 2, i);
    if (k < 0 || k >= size) {
        report_error(err, ERR_GATHER, k, size, axis);
        ((GLOBAL int*) out)[o] = 0;
        return;
    }
    ((GLOBAL int*) out)[o] = ((GLOBAL const int*) x)[layout_offset(&L, 0, i) + k * axisStride];
}

/*
 * out[p with p[axis] = index[p]] += src[p] without atomics: the Layout spans the lines of src
 * along axis (src's shape with axis removed; operands 0 = src, 1 = index, 2 = out, each without
 * its axis stride), and one work-item walks its line j = 0 .. m-1 in order. Lines write disjoint
 * parts of out, so the result is deterministic and equal to the CPU's serial loop bit for bit.
 */
KERNEL void scatter_add(Layout L, int lines, int m, GLOBAL const float* src, int srcAxisStride, GLOBAL const int* index,
                        int indexAxisStride, GLOBAL float* out, int outAxisStride, int size, int axis, GLOBAL int* err) {
    int i = GID(0);
    if (i >= lines) {
        return;
    }
    int s = layout_offset(&L, 0, i);
    int ix = layout_offset(&L, 1, i);
    int o = layout_offset(&L, 2, i);
    for (int j = 0; j < m; j++) {
        int k = index[ix + j * indexAxisStride];
        if (k < 0 || k >= size) {
            report_error(err, ERR_SCATTER_ADD, k, size, axis);
            continue;
        }
        out[o + k * outAxisStride] += src[s + j * srcAxisStride];
    }
}
