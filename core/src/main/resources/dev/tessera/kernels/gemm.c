/*
 * Batched SGEMM c[b] = a[b] x b[b] (+ c[b] when accumulate) with arbitrary strides, so row-major,
 * column-major (transposed) and batch-broadcast (batch stride 0) operands need no copies:
 * a[b](i, p) = a[ao + b*aBatch + i*aRow + p*aCol], b[b](p, j) = bm[bo + b*bBatch + p*bRow + j*bCol],
 * c[b](i, j) = c[co + b*cBatch + i*n + j] (contiguous rows).
 *
 * Work-groups of GEMM_TS x GEMM_TS items compute a GEMM_TILE x GEMM_TILE block of c, each item
 * GEMM_WPT x GEMM_WPT outputs (spaced GEMM_TS apart), over K tiles of GEMM_TS staged in local
 * memory. NDRange: (ceil(n / GEMM_TILE) * GEMM_TS, ceil(m / GEMM_TILE) * GEMM_TS, batch).
 */

#define GEMM_TS 16
#define GEMM_WPT 4
#define GEMM_TILE (GEMM_TS * GEMM_WPT)

KERNEL void gemm(int m, int n, int k, GLOBAL const float* a, int ao, int aBatch, int aRow, int aCol,
                 GLOBAL const float* bm, int bo, int bBatch, int bRow, int bCol,
                 GLOBAL float* c, int co, int cBatch, int accumulate) {
    LOCAL float at[GEMM_TILE][GEMM_TS + 1];
    LOCAL float bt[GEMM_TS][GEMM_TILE + 1];
    int tx = LID(0);
    int ty = LID(1);
    int batch = GID(2);
    int row0 = GROUP_ID(1) * GEMM_TILE;
    int col0 = GROUP_ID(0) * GEMM_TILE;
    int abase = ao + batch * aBatch;
    int bbase = bo + batch * bBatch;
    float acc[GEMM_WPT][GEMM_WPT];
    for (int wi = 0; wi < GEMM_WPT; wi++) {
        for (int wj = 0; wj < GEMM_WPT; wj++) {
            acc[wi][wj] = 0.0f;
        }
    }
    for (int p0 = 0; p0 < k; p0 += GEMM_TS) {
        /* stage a[row0 .. row0+TILE, p0 .. p0+TS] and b[p0 .. p0+TS, col0 .. col0+TILE] */
        for (int w = 0; w < GEMM_WPT; w++) {
            int r = ty + w * GEMM_TS;
            int i = row0 + r;
            int p = p0 + tx;
            at[r][tx] = i < m && p < k ? a[abase + i * aRow + p * aCol] : 0.0f;
            int j = col0 + tx + w * GEMM_TS;
            int q = p0 + ty;
            bt[ty][tx + w * GEMM_TS] = q < k && j < n ? bm[bbase + q * bRow + j * bCol] : 0.0f;
        }
        BARRIER;
        for (int p = 0; p < GEMM_TS; p++) {
            float bv[GEMM_WPT];
            for (int wj = 0; wj < GEMM_WPT; wj++) {
                bv[wj] = bt[p][tx + wj * GEMM_TS];
            }
            for (int wi = 0; wi < GEMM_WPT; wi++) {
                float av = at[ty + wi * GEMM_TS][p];
                for (int wj = 0; wj < GEMM_WPT; wj++) {
                    acc[wi][wj] += av * bv[wj];
                }
            }
        }
        BARRIER;
    }
    int cbase = co + batch * cBatch;
    for (int wi = 0; wi < GEMM_WPT; wi++) {
        int i = row0 + ty + wi * GEMM_TS;
        for (int wj = 0; wj < GEMM_WPT; wj++) {
            int j = col0 + tx + wj * GEMM_TS;
            if (i < m && j < n) {
                int ci = cbase + i * n + j;
                c[ci] = accumulate ? c[ci] + acc[wi][wj] : acc[wi][wj];
            }
        }
    }
}
