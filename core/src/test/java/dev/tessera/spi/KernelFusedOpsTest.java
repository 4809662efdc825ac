package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one-launch fused ops of KernelBackend (pooling, optimizer updates, random fills): kernel, geometry and arguments by hand. */
class KernelFusedOpsTest {
    private final FakeKernelBackend b = FakeKernelBackend.recordingStrided();

    private static void assertLaunch(RecordingLauncher.Launch l, String fileAndName, long global, Object... args) {
        assertEquals(fileAndName, l.file() + "/" + l.name());
        assertArrayEquals(new long[] {global}, l.global(), "global size");
        assertArrayEquals(new long[] {64}, l.local(), "local size");
        assertArrayEquals(args, l.args(), "arguments");
    }

    private static void assertStrided(RecordingLauncher.Launch l, String fileAndName, int[] shape, int[][] strides,
                                      int[] offsets, Object... args) {
        assertEquals(fileAndName, l.file() + "/" + l.name());
        assertArrayEquals(shape, l.shape(), "shape");
        assertArrayEquals(strides, l.strides(), "strides");
        assertArrayEquals(offsets, l.offsets(), "offsets");
        assertArrayEquals(args, l.args(), "arguments");
    }

    @Test
    void maxPoolingRunsOneItemPerOutputForwardAndPerInputBackward() {
        Pool2dSpec s = Pool2dSpec.window("maxPool2d", 2, 3, 5, 5, 2, 2, 2, 2, 0, 0, false); // 2x2 outputs
        int[] geom = {2, 3, 5, 5, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0};
        View x = b.view(200, new int[] {2, 3, 5, 5}, new int[] {1, 2, 30, 6}, 4); // channels-last-like strides
        View out = b.view(30, new int[] {2, 3, 2, 2}, new int[] {12, 4, 2, 1}, 2);
        View idx = b.view(30, new int[] {2, 3, 2, 2}, new int[] {12, 4, 2, 1}, 3);
        b.maxPool2d(x, s, out, idx);
        assertLaunch(b.kernels.only(), "pool.c/max_pool", 64, geom, new int[] {4, 1, 2, 30, 6}, x.storage(), out.storage(),
                2, idx.storage(), 3);
        b.kernels.launches.clear();
        View gradIn = b.view(160, new int[] {2, 3, 5, 5}, new int[] {75, 25, 5, 1}, 1);
        b.maxPool2dBackward(out, idx, s, gradIn);
        assertLaunch(b.kernels.only(), "pool.c/max_pool_backward", 192, geom, out.storage(), 2, idx.storage(), 3,
                gradIn.storage(), 1);
    }

    @Test
    void averagePoolingPassesPaddingAndItsCountingRule() {
        Pool2dSpec s = Pool2dSpec.window("avgPool2d", 1, 2, 4, 4, 3, 3, 1, 1, 1, 1, true); // 4x4 outputs
        int[] geom = {1, 2, 4, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 0, 0, 0};
        View x = b.contiguous(1, 2, 4, 4);
        View out = b.contiguous(1, 2, 4, 4);
        b.avgPool2d(x, s, out);
        assertLaunch(b.kernels.only(), "pool.c/avg_pool", 64, geom, new int[] {0, 32, 16, 4, 1}, x.storage(),
                out.storage(), 0);
        b.kernels.launches.clear();
        View gradIn = b.contiguous(1, 2, 4, 4);
        b.avgPool2dBackward(out, s, gradIn);
        assertLaunch(b.kernels.only(), "pool.c/avg_pool_backward", 64, geom, out.storage(), 0, gradIn.storage(), 0);
    }

    @Test
    void adaptivePoolingIsFlaggedInTheGeometry() {
        Pool2dSpec s = Pool2dSpec.adaptive("adaptiveAvgPool2d", 1, 1, 5, 7, 2, 3);
        View out = b.contiguous(1, 1, 2, 3);
        b.avgPool2d(b.contiguous(1, 1, 5, 7), s, out);
        int[] geom = (int[]) b.kernels.only().args()[0];
        assertArrayEquals(new int[] {1, 1, 5, 7, 2, 3}, java.util.Arrays.copyOf(geom, 6));
        assertEquals(1, geom[13], "adaptive flag");
    }

    @Test
    void adamWDerivesItsScalarsFromTheSpec() {
        View p = b.contiguous(2, 3);
        View g = b.view(6, new int[] {2, 3}, new int[] {1, 2}, 0);
        View m = b.contiguous(2, 3);
        View v = b.contiguous(2, 3);
        float bias2Sqrt = (float) Math.sqrt(1 - 0.999 * 0.999);
        b.adamUpdate(p, g, m, v, new AdamSpec(0.1f, 0.9f, 0.999f, 1e-8f, 0.01f, true, 0.19f, bias2Sqrt));
        assertStrided(b.kernels.only(), "optim.c/adam_update", new int[] {2, 3}, new int[][] {{3, 1}, {1, 2}, {3, 1}, {3, 1}},
                new int[] {0, 0, 0, 0}, p.storage(), g.storage(), m.storage(), v.storage(),
                1f - 0.1f * 0.01f, 0f, 0.9f, 0.999f, 1f - 0.9f, 1f - 0.999f, 1f / bias2Sqrt, 1e-8f, -0.1f / 0.19f);
    }

    @Test
    void adamWithL2PenaltyDoesNotDecayTheParameter() {
        View p = b.contiguous(4);
        b.adamUpdate(p, p, p, p, new AdamSpec(0.5f, 0.8f, 0.9f, 1e-6f, 0.25f, false, 0.2f, 0.5f));
        Object[] args = b.kernels.only().args();
        assertArrayEquals(new Object[] {1f, 0.25f, 0.8f, 0.9f, 1f - 0.8f, 1f - 0.9f, 2f, 1e-6f, -0.5f / 0.2f},
                java.util.Arrays.copyOfRange(args, 4, 13));
    }

    @Test
    void sgdPicksTheKernelByMomentumAndPassesItsScalars() {
        View p = b.contiguous(2, 3);
        View g = b.view(6, new int[] {2, 3}, new int[] {1, 2}, 0);
        b.sgdUpdate(p, g, null, new SgdSpec(0.1f, 0f, 0f, 0.01f, false, false));
        assertStrided(b.kernels.only(), "optim.c/sgd_update", new int[] {2, 3}, new int[][] {{3, 1}, {1, 2}},
                new int[] {0, 0}, p.storage(), g.storage(), 0.01f, -0.1f);
        b.kernels.launches.clear();
        View buf = b.view(8, new int[] {2, 3}, new int[] {3, 1}, 2);
        b.sgdUpdate(p, g, buf, new SgdSpec(0.05f, 0.9f, 0.25f, 0f, true, true));
        assertStrided(b.kernels.only(), "optim.c/sgd_momentum_update", new int[] {2, 3},
                new int[][] {{3, 1}, {1, 2}, {3, 1}}, new int[] {0, 0, 2}, p.storage(), g.storage(), buf.storage(),
                0f, 0.9f, 0.75f, -0.05f, 1, 1);
    }

    @Test
    void layerNormRunsOneItemPerRowAndTheParameterGradientsOnePerColumn() {
        View x = b.view(40, new int[] {3, 10}, new int[] {10, 1}, 5);
        View w = b.view(20, new int[] {10}, new int[] {2}, 1);
        View out = b.contiguous(3, 10);
        View mean = b.contiguous(3);
        View rstd = b.contiguous(3);
        b.layerNorm(x, w, null, 1e-5f, out, mean, rstd);
        assertLaunch(b.kernels.only(), "norm.c/layer_norm", 64, 3, 10, x.storage(), 5, w.storage(), 1, 2, 1,
                x.storage(), 0, 0, 0, 1e-5f, out.storage(), 0, mean.storage(), 0, rstd.storage(), 0);
        b.kernels.launches.clear();
        View go = b.contiguous(3, 10);
        View gx = b.contiguous(3, 10);
        View gb = b.contiguous(10);
        b.layerNormBackward(x, null, mean, rstd, go, gx, null, gb);
        assertEquals(2, b.kernels.launches.size());
        assertLaunch(b.kernels.launches.get(0), "norm.c/layer_norm_backward_input", 64, 3, 10, x.storage(), 5,
                x.storage(), 0, 0, 0, mean.storage(), 0, rstd.storage(), 0, go.storage(), 0, gx.storage(), 0);
        assertLaunch(b.kernels.launches.get(1), "norm.c/layer_norm_backward_params", 64, 3, 10, x.storage(), 5,
                mean.storage(), 0, rstd.storage(), 0, go.storage(), 0, gb.storage(), 0, 0, gb.storage(), 0, 1);
        b.kernels.launches.clear();
        b.layerNormBackward(x, w, mean, rstd, go, null, null, null);
        assertTrue(b.kernels.launches.isEmpty(), "no gradient wanted: nothing launched");
    }

    @Test
    void axpyAddsIntoYThroughBothLayouts() {
        View x = b.view(6, new int[] {3}, new int[] {2}, 1);
        View y = b.contiguous(3);
        b.axpy(x, -2f, y);
        assertStrided(b.kernels.only(), "optim.c/axpy", new int[] {3}, new int[][] {{2}, {1}}, new int[] {1, 0},
                x.storage(), -2f, y.storage());
    }

    @Test
    void randomFillsSplitTheStateIntoTwoInts() {
        View out = b.view(12, new int[] {3, 2}, new int[] {1, 3}, 2);
        long state = 0x12345678_9ABCDEF0L;
        b.fillUniform(out, state, -1f, 3f);
        assertStrided(b.kernels.only(), "random.c/fill_uniform", new int[] {3, 2}, new int[][] {{1, 3}}, new int[] {2},
                out.storage(), 0x9ABCDEF0, 0x12345678, -1f, 4f);
        b.kernels.launches.clear();
        b.fillDropoutMask(out, state, 0.25f, 4f / 3);
        assertStrided(b.kernels.only(), "random.c/fill_dropout_mask", new int[] {3, 2}, new int[][] {{1, 3}},
                new int[] {2}, out.storage(), 0x9ABCDEF0, 0x12345678, 0.25f, 4f / 3);
        b.kernels.launches.clear();
        View x = b.view(6, new int[] {3, 2}, new int[] {2, 1}, 0);
        b.dropout(x, state, 0.25f, 4f / 3, out);
        assertStrided(b.kernels.only(), "random.c/dropout", new int[] {3, 2}, new int[][] {{2, 1}, {1, 3}},
                new int[] {0, 2}, x.storage(), out.storage(), 0x9ABCDEF0, 0x12345678, 0.25f, 4f / 3);
    }
}
