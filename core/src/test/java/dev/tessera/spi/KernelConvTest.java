package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How KernelBackend decomposes convolution into im2col/col2im launches around batched products:
 * chunks of the batch under the budget, one product per chunk with one group and one per image
 * with several, the views each product reads and writes, bias and weight-gradient sums, and the
 * release of temporaries. Expected launches and views are written out by hand.
 */
class KernelConvTest {
    /** 3 images of 2x4x4, 3 output channels, 3x3 kernel, padding 1: 4x4 outputs, columns [18, 16] per image. */
    private static final Conv2dSpec DENSE = new Conv2dSpec(3, 2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1);
    private static final int[] DENSE_GEOM = {3, 2, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, 0, 0};
    /** 2 images of 4x2x2, 4 output channels in 2 groups, 1x1 kernel: columns [4, 4] per image, [2, 4] per group. */
    private static final Conv2dSpec GROUPED = new Conv2dSpec(2, 4, 2, 2, 4, 1, 1, 1, 1, 0, 0, 1, 1, 2);
    private static final int[] GROUPED_GEOM = {2, 4, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0};

    private final FakeKernelBackend b = FakeKernelBackend.recordingStrided();

    private static int[] withBatch(int[] geom, int n) {
        int[] g = geom.clone();
        g[0] = n;
        return g;
    }

    private static void assertLaunch(RecordingLauncher.Launch l, String name, long global, Object... args) {
        assertEquals("conv.c/" + name, l.file() + "/" + l.name());
        assertArrayEquals(new long[] {global}, l.global(), name + ": global size");
        assertArrayEquals(new long[] {64}, l.local(), name + ": local size");
        assertArrayEquals(args, l.args(), name + ": arguments");
    }

    private static FakeKernelBackend.Product product(Storage a, int[] as, int[] ast, int ao, Storage bb, int[] bs, int[] bst,
                                                     int bo, Storage c, int[] cs, int[] cst, int co) {
        return new FakeKernelBackend.Product(new View(a, as, ast, ao), new View(bb, bs, bst, bo), new View(c, cs, cst, co),
                false);
    }

    @Test
    void theBatchRunsInChunksUnderTheBudgetWithOneProductEach() {
        View x = b.view(200, new int[] {3, 2, 4, 4}, new int[] {32, 16, 4, 1}, 5);
        View w = b.view(60, new int[] {3, 2, 3, 3}, new int[] {18, 9, 3, 1}, 2);
        View bias = b.view(4, new int[] {3}, new int[] {1}, 1);
        View out = b.view(160, new int[] {3, 3, 4, 4}, new int[] {48, 16, 4, 1}, 7);
        b.convBudget(2 * 18 * 16); // two images' columns
        b.conv2d(x, w, bias, DENSE, out);

        List<RecordingLauncher.Launch> l = b.kernels.launches;
        assertEquals(List.of("conv.c/im2col", "conv.c/bias_add", "conv.c/im2col", "conv.c/bias_add"), b.kernels.names());
        KernelStorage cols = (KernelStorage) l.get(0).args()[3];
        assertEquals(2 * 18 * 16, cols.length());
        Storage xs = x.storage();
        Storage ws = w.storage();
        Storage os = out.storage();
        assertLaunch(l.get(0), "im2col", 576, withBatch(DENSE_GEOM, 2), new int[] {5, 32, 16, 4, 1}, xs, cols, 0);
        assertLaunch(l.get(1), "bias_add", 128, 96, 3, 16, bias.storage(), 1, 1, os, 7);
        assertLaunch(l.get(2), "im2col", 320, withBatch(DENSE_GEOM, 1), new int[] {5 + 64, 32, 16, 4, 1}, xs, cols, 0);
        assertLaunch(l.get(3), "bias_add", 64, 48, 3, 16, bias.storage(), 1, 1, os, 7 + 96);
        assertEquals(List.of(
                product(ws, new int[] {2, 3, 18}, new int[] {0, 18, 1}, 2, cols, new int[] {2, 18, 16},
                        new int[] {288, 16, 1}, 0, os, new int[] {2, 3, 16}, new int[] {48, 16, 1}, 7),
                product(ws, new int[] {1, 3, 18}, new int[] {0, 18, 1}, 2, cols, new int[] {1, 18, 16},
                        new int[] {288, 16, 1}, 0, os, new int[] {1, 3, 16}, new int[] {48, 16, 1}, 7 + 96)), b.products);
        assertTrue(cols.isReleased());
    }

    @Test
    void groupsGetOneProductPerImageOverTheGroups() {
        View x = b.contiguous(2, 4, 2, 2);
        View w = b.contiguous(4, 2, 1, 1);
        View out = b.contiguous(2, 4, 2, 2);
        b.conv2d(x, w, null, GROUPED, out);

        assertEquals(List.of("conv.c/im2col"), b.kernels.names());
        KernelStorage cols = (KernelStorage) b.kernels.only().args()[3];
        assertLaunch(b.kernels.only(), "im2col", 64, GROUPED_GEOM, new int[] {0, 16, 4, 2, 1}, x.storage(), cols, 0);
        Storage ws = w.storage();
        Storage os = out.storage();
        assertEquals(List.of(
                product(ws, new int[] {2, 2, 2}, new int[] {4, 2, 1}, 0, cols, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 0,
                        os, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 0),
                product(ws, new int[] {2, 2, 2}, new int[] {4, 2, 1}, 0, cols, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 16,
                        os, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 16)), b.products);
        assertTrue(cols.isReleased());
    }

    @Test
    void theInputGradientReadsTheWeightColumnMajorAndFoldsBack() {
        View gradOut = b.contiguous(3, 3, 4, 4);
        View w = b.view(60, new int[] {3, 2, 3, 3}, new int[] {18, 9, 3, 1}, 2);
        View gradIn = b.contiguous(3, 2, 4, 4);
        b.conv2dBackwardInput(gradOut, w, DENSE, gradIn);

        RecordingLauncher.Launch col2im = b.kernels.only();
        KernelStorage cols = (KernelStorage) col2im.args()[2];
        assertEquals(3 * 18 * 16, cols.length());
        assertLaunch(col2im, "col2im", 128, DENSE_GEOM, new int[] {0, 32, 16, 4, 1}, cols, 0, gradIn.storage());
        assertEquals(List.of(product(w.storage(), new int[] {3, 18, 3}, new int[] {0, 1, 18}, 2, gradOut.storage(),
                new int[] {3, 3, 16}, new int[] {48, 16, 1}, 0, cols, new int[] {3, 18, 16}, new int[] {288, 16, 1}, 0)),
                b.products);
        assertTrue(cols.isReleased());
    }

    @Test
    void theGroupedInputGradientRunsOneProductPerImage() {
        View gradOut = b.contiguous(2, 4, 2, 2);
        View w = b.contiguous(4, 2, 1, 1);
        View gradIn = b.contiguous(2, 4, 2, 2);
        b.conv2dBackwardInput(gradOut, w, GROUPED, gradIn);

        KernelStorage cols = (KernelStorage) b.kernels.only().args()[2];
        assertLaunch(b.kernels.only(), "col2im", 64, GROUPED_GEOM, new int[] {0, 16, 4, 2, 1}, cols, 0, gradIn.storage());
        Storage ws = w.storage();
        Storage gs = gradOut.storage();
        assertEquals(List.of(
                product(ws, new int[] {2, 2, 2}, new int[] {4, 1, 2}, 0, gs, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 0,
                        cols, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 0),
                product(ws, new int[] {2, 2, 2}, new int[] {4, 1, 2}, 0, gs, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 16,
                        cols, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 16)), b.products);
    }

    @Test
    void theWeightGradientSumsEachChunksImagesInOrder() {
        View x = b.view(200, new int[] {3, 2, 4, 4}, new int[] {32, 16, 4, 1}, 5);
        View gradOut = b.contiguous(3, 3, 4, 4);
        View gw = b.view(60, new int[] {3, 2, 3, 3}, new int[] {18, 9, 3, 1}, 3);
        b.convBudget(2 * (18 * 16 + 54)); // two images' columns and weight-sized parts
        b.conv2dBackwardWeight(x, gradOut, DENSE, gw);

        List<RecordingLauncher.Launch> l = b.kernels.launches;
        assertEquals(List.of("conv.c/im2col", "conv.c/sum_batches_add", "conv.c/im2col", "conv.c/sum_batches_add"),
                b.kernels.names());
        KernelStorage cols = (KernelStorage) l.get(0).args()[3];
        KernelStorage parts = (KernelStorage) l.get(1).args()[2];
        assertEquals(2 * 288, cols.length());
        assertEquals(2 * 54, parts.length());
        assertLaunch(l.get(0), "im2col", 576, withBatch(DENSE_GEOM, 2), new int[] {5, 32, 16, 4, 1}, x.storage(), cols, 0);
        assertLaunch(l.get(1), "sum_batches_add", 64, 2, 54, parts, gw.storage(), 3);
        assertLaunch(l.get(2), "im2col", 320, withBatch(DENSE_GEOM, 1), new int[] {69, 32, 16, 4, 1}, x.storage(), cols, 0);
        assertLaunch(l.get(3), "sum_batches_add", 64, 1, 54, parts, gw.storage(), 3);
        Storage gs = gradOut.storage();
        assertEquals(List.of(
                product(gs, new int[] {2, 3, 16}, new int[] {48, 16, 1}, 0, cols, new int[] {2, 16, 18},
                        new int[] {288, 1, 16}, 0, parts, new int[] {2, 3, 18}, new int[] {54, 18, 1}, 0),
                product(gs, new int[] {1, 3, 16}, new int[] {48, 16, 1}, 96, cols, new int[] {1, 16, 18},
                        new int[] {288, 1, 16}, 0, parts, new int[] {1, 3, 18}, new int[] {54, 18, 1}, 0)), b.products);
        assertTrue(cols.isReleased());
        assertTrue(parts.isReleased());
    }

    @Test
    void theGroupedWeightGradientRunsOneProductPerImage() {
        View x = b.contiguous(2, 4, 2, 2);
        View gradOut = b.contiguous(2, 4, 2, 2);
        View gw = b.contiguous(4, 2, 1, 1);
        b.conv2dBackwardWeight(x, gradOut, GROUPED, gw);

        List<RecordingLauncher.Launch> l = b.kernels.launches;
        KernelStorage cols = (KernelStorage) l.get(0).args()[3];
        KernelStorage parts = (KernelStorage) l.get(1).args()[2];
        assertLaunch(l.get(1), "sum_batches_add", 64, 2, 8, parts, gw.storage(), 0);
        Storage gs = gradOut.storage();
        assertEquals(List.of(
                product(gs, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 0, cols, new int[] {2, 4, 2}, new int[] {8, 1, 4}, 0,
                        parts, new int[] {2, 2, 2}, new int[] {4, 2, 1}, 0),
                product(gs, new int[] {2, 2, 4}, new int[] {8, 4, 1}, 16, cols, new int[] {2, 4, 2}, new int[] {8, 1, 4}, 16,
                        parts, new int[] {2, 2, 2}, new int[] {4, 2, 1}, 8)), b.products);
    }

    @Test
    void aTemporaryIsReleasedWhenAProductFails() {
        View foreignWeight = new View(new KernelBackendTest.ForeignStorage(), new int[] {3, 2, 3, 3},
                new int[] {18, 9, 3, 1}, 0);
        assertThrows(IllegalArgumentException.class, () -> b.conv2d(b.contiguous(3, 2, 4, 4), foreignWeight, null, DENSE,
                b.contiguous(3, 3, 4, 4)));
        KernelStorage cols = (KernelStorage) b.kernels.launches.get(0).args()[3];
        assertTrue(cols.isReleased());
    }

    @Test
    void aStorageOfAnotherDeviceIsNamedWithTheOp() {
        FakeKernelBackend other = FakeKernelBackend.recordingStrided(dev.tessera.Device.opencl(6));
        View x = other.contiguous(3, 2, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.im2col(x, DENSE, b.contiguous(3, 18, 16)));
        assertTrue(e.getMessage().startsWith("im2col: storage Buffer[FLOAT32 x 96 on opencl:6] is not on opencl:5; move"
                + " the tensor with to(opencl:5)"), e.getMessage());
        assertEquals(List.of(), b.kernels.launches);
    }
}
