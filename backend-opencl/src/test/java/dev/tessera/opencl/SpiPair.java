package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.DType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.View;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The CPU backend and the OpenCL backend side by side: the same data uploaded to both, views of
 * the same layout on each, and comparisons of what the two compute.
 */
final class SpiPair {
    final Backend cpu;
    final OpenClBackend ocl;

    SpiPair() {
        this.ocl = ClTestDevice.backend();
        this.cpu = ClTestDevice.cpu();
    }

    /** A view on each backend: index 0 the CPU's, 1 the OpenCL device's. */
    record Views(View cpu, View ocl) {
        View on(int side) {
            return side == 0 ? cpu : ocl;
        }
    }

    /** Uploads {@code data} to both backends and views it with the given layout. */
    Views floats(float[] data, int[] shape, int[] strides, int offset) {
        return new Views(new View(cpu.upload(data), shape, strides, offset), new View(ocl.upload(data), shape, strides, offset));
    }

    /** Uploads {@code data} to both backends and views it with the given layout. */
    Views ints(int[] data, int[] shape, int[] strides, int offset) {
        return new Views(new View(cpu.upload(data), shape, strides, offset), new View(ocl.upload(data), shape, strides, offset));
    }

    /** Allocates {@code length} zeros of {@code dtype} on both and views them with the given layout. */
    Views zeros(DType dtype, int length, int[] shape, int[] strides, int offset) {
        return new Views(new View(cpu.allocate(dtype, length), shape, strides, offset),
                new View(ocl.allocate(dtype, length), shape, strides, offset));
    }

    /** Contiguous row-major strides of {@code shape}. */
    static int[] contiguous(int... shape) {
        return dev.tessera.Shape.contiguousStrides(shape);
    }

    /** The whole storage behind a view, read as floats (CPU, then OpenCL). */
    float[][] storageFloats(Views v) {
        int n = v.cpu.storage().length();
        return new float[][] {cpu.readFloats(new View(v.cpu.storage(), new int[] {n}, new int[] {1}, 0)),
            ocl.readFloats(new View(v.ocl.storage(), new int[] {n}, new int[] {1}, 0))};
    }

    /** The whole storage behind a view, read as ints (CPU, then OpenCL). */
    int[][] storageInts(Views v) {
        int n = v.cpu.storage().length();
        return new int[][] {cpu.readInts(new View(v.cpu.storage(), new int[] {n}, new int[] {1}, 0)),
            ocl.readInts(new View(v.ocl.storage(), new int[] {n}, new int[] {1}, 0))};
    }

    /** Asserts that the two backends' storages behind {@code v} agree within float tolerance. */
    void assertSameFloats(Views v, String what) {
        float[][] r = storageFloats(v);
        assertClose(r[0], r[1], what);
    }

    /** Asserts that the two backends' storages behind {@code v} are equal. */
    void assertSameInts(Views v, String what) {
        int[][] r = storageInts(v);
        assertEquals(Arrays.toString(r[0]), Arrays.toString(r[1]), what);
    }

    /** Asserts {@code actual} equals {@code expected} within 1e-5 relative plus 1e-6 absolute; NaN and infinities exactly. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertClose(expected, actual, 1e-5f, 1e-6f, what);
    }

    static void assertClose(float[] expected, float[] actual, float rel, float abs, String what) {
        assertEquals(expected.length, actual.length, what + ": lengths");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a) : Float.isInfinite(e) ? e == a : Math.abs(e - a) <= abs + rel * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " is " + a + " on OpenCL, " + e + " on the CPU");
            }
        }
    }

    /** Seeded uniform floats in [-scale, scale). */
    static float[] random(long seed, int n, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return x;
    }

    /** Seeded ints in [lo, hi). */
    static int[] randomInts(long seed, int n, int lo, int hi) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] x = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(lo, hi);
        }
        return x;
    }
}
