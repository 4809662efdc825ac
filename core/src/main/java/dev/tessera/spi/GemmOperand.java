package dev.tessera.spi;

/**
 * How a BLAS reads one row-major operand of {@code rows x cols} in place: as a row-major matrix
 * with leading dimension {@code ld} ({@code (i, p)} at {@code i * ld + p}), or, when {@code
 * transposed}, as a column-major one ({@code (i, p)} at {@code i + p * ld}). For backend authors
 * whose {@link KernelGemm} calls a vendor BLAS (CLBlast, cuBLAS).
 *
 * @param transposed whether the matrix is stored column-major
 * @param ld         the leading dimension
 */
public record GemmOperand(boolean transposed, long ld) {
    /** Returns the description of {@code v}'s {@code rows x cols} matrices, or null if a BLAS cannot read them in place. */
    public static GemmOperand of(View v, int rows, int cols) {
        int rs = v.strides()[1];
        int cs = v.strides()[2];
        if (cols == 1 || cs == 1) {
            long ld = rows == 1 ? Math.max(cols, 1) : rs;
            if (ld >= Math.max(cols, 1)) {
                return new GemmOperand(false, ld);
            }
        }
        if (rows == 1 || rs == 1) {
            long ld = cols == 1 ? Math.max(rows, 1) : cs;
            if (ld >= Math.max(rows, 1)) {
                return new GemmOperand(true, ld);
            }
        }
        return null;
    }

    /** Returns the element offset of {@code (i, p)} from the matrix's start, as a BLAS reads it. */
    public long offset(int i, int p) {
        return transposed ? i + p * ld : i * ld + p;
    }
}
