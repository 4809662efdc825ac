/* A trial program built when a device is probed: proves that the prelude and common.h compile. */

KERNEL void probe(Layout L, int n, GLOBAL float* out, GLOBAL int* err) {
    int i = GID(0);
    if (i >= n) {
        return;
    }
    out[layout_offset(&L, 0, i)] = (float) float_to_int(1.5f);
    if (i < 0) {
        report_error(err, 0, i, n, 0);
    }
}
