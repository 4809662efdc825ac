package dev.tessera.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.spi.View;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** gather and scatter-add on OpenCL against the CPU, along every axis, with repeated indices; bad indices reported at the next read. */
class IndexTest {
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void gatherMatchesCpu(int axis) {
        SpiPair p = new SpiPair();
        int[] xShape = {4, 5, 6};
        int[] outShape = {4, 5, 6};
        outShape[axis] = 3;
        int size = xShape[axis];
        int outN = outShape[0] * outShape[1] * outShape[2];
        int[] idx = SpiPair.randomInts(axis, outN, 0, size);
        // x transposed in its last two axes, index contiguous
        SpiPair.Views x = p.floats(SpiPair.random(9, 120, 5), xShape, new int[] {30, 1, 5}, 0);
        SpiPair.Views index = p.ints(idx, outShape, SpiPair.contiguous(outShape), 0);
        SpiPair.Views out = p.zeros(DType.FLOAT32, outN, outShape, SpiPair.contiguous(outShape), 0);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).gather(x.on(s), axis, index.on(s), out.on(s));
        }
        p.assertSameFloats(out, "gather axis " + axis);
        SpiPair.Views xi = p.ints(SpiPair.randomInts(4, 120, -50, 50), xShape, SpiPair.contiguous(xShape), 0);
        SpiPair.Views outI = p.zeros(DType.INT32, outN, outShape, SpiPair.contiguous(outShape), 0);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).gather(xi.on(s), axis, index.on(s), outI.on(s));
        }
        p.assertSameInts(outI, "int gather axis " + axis);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void scatterAddMatchesCpuBitForBit(int axis) {
        SpiPair p = new SpiPair();
        int[] srcShape = {6, 7, 8};
        int[] outShape = {6, 7, 8};
        outShape[axis] = 3; // few targets: many repeated indices
        int srcN = 6 * 7 * 8;
        int outN = outShape[0] * outShape[1] * outShape[2];
        int[] idx = SpiPair.randomInts(axis + 10, srcN, 0, 3);
        // src transposed (strides of a [8, 7, 6] tensor read backwards), index broadcast along axis 0 where possible
        SpiPair.Views src = p.floats(SpiPair.random(3, srcN, 10), srcShape, new int[] {1, 6, 42}, 0);
        SpiPair.Views index = p.ints(idx, srcShape, SpiPair.contiguous(srcShape), 0);
        SpiPair.Views out = p.floats(SpiPair.random(5, outN, 1), outShape, SpiPair.contiguous(outShape), 0);
        for (int s = 0; s < 2; s++) {
            (s == 0 ? p.cpu : p.ocl).scatterAdd(src.on(s), axis, index.on(s), out.on(s));
        }
        float[][] r = p.storageFloats(out);
        assertArrayEquals(r[0], r[1], "scatterAdd axis " + axis + ": the same additions in the same order");
    }

    @Test
    void scatterAddOfAnEmbeddingGradientIsDeterministic() {
        SpiPair p = new SpiPair();
        int tokens = 300;
        int dim = 16;
        int vocab = 7;
        int[] ids = SpiPair.randomInts(1, tokens, 0, vocab);
        // index [tokens, dim] broadcast from [tokens, 1], as an embedding's backward builds it
        View index = new View(p.ocl.upload(ids), new int[] {tokens, dim}, new int[] {1, 0}, 0);
        View grad = new View(p.ocl.upload(SpiPair.random(2, tokens * dim, 1)), new int[] {tokens, dim},
                SpiPair.contiguous(tokens, dim), 0);
        float[] first = null;
        for (int run = 0; run < 3; run++) {
            View out = new View(p.ocl.allocate(DType.FLOAT32, vocab * dim), new int[] {vocab, dim}, SpiPair.contiguous(vocab, dim), 0);
            p.ocl.scatterAdd(grad, 0, index, out);
            float[] r = p.ocl.readFloats(out);
            if (first == null) {
                first = r;
            } else {
                assertArrayEquals(first, r, "run " + run);
            }
        }
    }

    @Test
    void badGatherIndexThrowsAtTheNextRead() {
        SpiPair p = new SpiPair();
        View x = new View(p.ocl.upload(new float[] {1, 2, 3, 4, 5}), new int[] {5}, new int[] {1}, 0);
        View index = new View(p.ocl.upload(new int[] {0, 7, 2}), new int[] {3}, new int[] {1}, 0);
        View out = new View(p.ocl.allocate(DType.FLOAT32, 3), new int[] {3}, new int[] {1}, 0);
        p.ocl.gather(x, 0, index, out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.ocl.readFloats(out));
        assertTrue(e.getMessage().startsWith("gather: index 7 is out of range for dimension 0 of size 5"), e.getMessage());
        // reported once: the next read succeeds, the good elements were gathered
        float[] r = p.ocl.readFloats(out);
        assertArrayEquals(new float[] {1, 0, 3}, r);
    }

    @Test
    void badScatterIndexThrowsAtSynchronize() {
        SpiPair p = new SpiPair();
        View src = new View(p.ocl.upload(new float[] {1, 2, 3}), new int[] {1, 3}, new int[] {3, 1}, 0);
        View index = new View(p.ocl.upload(new int[] {0, -1, 1}), new int[] {1, 3}, new int[] {3, 1}, 0);
        View out = new View(p.ocl.allocate(DType.FLOAT32, 2), new int[] {1, 2}, new int[] {2, 1}, 0);
        p.ocl.scatterAdd(src, 1, index, out);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, p.ocl::synchronize);
        assertTrue(e.getMessage().startsWith("scatterAdd: index -1 is out of range for dimension 1 of size 2"), e.getMessage());
        p.ocl.synchronize();
    }
}
