package dev.tessera.cpu;

import dev.tessera.Tensor;

/** Run in a child JVM by {@link VectorFallbackTest}: multiplies two matrices and prints the GEMM path used. */
public final class FallbackProbe {
    private FallbackProbe() {
    }

    /** Prints {@code implementation=<name>} and {@code result=<values>}. */
    public static void main(String[] args) {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        float[] c = a.matmul(b).toFloatArray();
        System.out.println("implementation=" + Gemm.implementation());
        System.out.println("result=" + java.util.Arrays.toString(c));
    }
}
