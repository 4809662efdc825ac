package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How KernelBackend runs attention: products on the GEMM around the softmax kernels with the scale
 * folded in, transposes as strides, one temporary in backward; expected calls written by hand.
 */
class KernelAttentionTest {
    private final FakeKernelBackend b = FakeKernelBackend.recordingStrided();
    // 2 problems, 3 queries, 4 keys, head size 5, value size 6
    private final View q = b.contiguous(2, 3, 5);
    private final View k = b.contiguous(2, 4, 5);
    private final View v = b.contiguous(2, 4, 6);
    private final View probs = b.contiguous(2, 3, 4);

    private static void assertLaunch(RecordingLauncher.Launch l, String fileAndName, long global, Object... args) {
        assertEquals(fileAndName, l.file() + "/" + l.name());
        assertArrayEquals(new long[] {global}, l.global(), "global size");
        assertArrayEquals(new long[] {64}, l.local(), "local size");
        assertArrayEquals(args, l.args(), "arguments");
    }

    @Test
    void forwardScalesInsideTheSoftmaxBetweenTwoProducts() {
        View out = b.contiguous(2, 3, 6);
        b.attention(q, k, v, 0.125f, null, null, probs, out);
        Storage p = probs.storage();
        assertLaunch(b.kernels.only(), "reduce.c/softmax_serial", 64, 6, 4, 1, 0.125f, p, 0, p, 0, 0);
        View kT = new View(k.storage(), new int[] {2, 5, 4}, new int[] {20, 1, 5}, 0);
        assertEquals(List.of(new FakeKernelBackend.Product(q, kT, probs, false),
                new FakeKernelBackend.Product(probs, v, out, false)), b.products);
    }

    @Test
    void backwardFoldsTheScaleIntoTheSoftmaxGradientOnATemporary() {
        View gradOut = b.contiguous(2, 3, 6);
        View gq = b.contiguous(2, 3, 5);
        View gk = b.contiguous(2, 4, 5);
        View gv = b.contiguous(2, 4, 6);
        b.attentionBackward(q, k, v, 0.5f, null, probs, gradOut, gq, gk, gv);

        RecordingLauncher.Launch smb = b.kernels.only();
        KernelStorage ds = (KernelStorage) smb.args()[5];
        assertEquals(24, ds.length());
        Storage p = probs.storage();
        assertLaunch(smb, "softmax_backward.c/softmax_backward_serial", 64, 6, 4, 1, p, 0, ds, 0, ds, 0, 0, 0.5f);
        View dScores = new View(ds, new int[] {2, 3, 4}, new int[] {12, 4, 1}, 0);
        assertEquals(List.of(
                new FakeKernelBackend.Product(gradOut, new View(v.storage(), new int[] {2, 6, 4}, new int[] {24, 1, 6}, 0),
                        dScores, false),
                new FakeKernelBackend.Product(new View(p, new int[] {2, 4, 3}, new int[] {12, 1, 4}, 0), gradOut, gv, false),
                new FakeKernelBackend.Product(dScores, k, gq, false),
                new FakeKernelBackend.Product(new View(ds, new int[] {2, 4, 3}, new int[] {12, 1, 4}, 0), q, gk, false)),
                b.products);
        assertTrue(ds.isReleased());
    }

    @Test
    void dropoutDrawsTheMaskOfEachSplitPieceFromItsFirstProblem() {
        // [2, 2, 3, 4] probabilities; q's leading dimensions do not merge (strides 15 and 30), so
        // the problems run as two pieces of two, and the second piece's mask starts at element 24.
        View q4 = new View(b.contiguous(2, 2, 3, 5).storage(), new int[] {2, 2, 3, 5}, new int[] {15, 30, 5, 1}, 0);
        View k4 = b.contiguous(2, 2, 4, 5);
        View v4 = b.contiguous(2, 2, 4, 6);
        View probs4 = b.contiguous(2, 2, 3, 4);
        AttentionDropout dropout = AttentionDropout.inverted(0x1234_5678_9ABCL, 0.25f);
        b.attention(q4, k4, v4, 0.5f, null, dropout, probs4, b.contiguous(2, 2, 3, 6));
        b.attentionBackward(q4, k4, v4, 0.5f, dropout, probs4, b.contiguous(2, 2, 3, 6), b.contiguous(2, 2, 3, 5),
                b.contiguous(2, 2, 4, 5), b.contiguous(2, 2, 4, 6));
        long second = dropout.state() + 24 * SplitMix.GAMMA;
        long[] expected = {dropout.state(), second, dropout.state(), second}; // forward, then backward
        List<RecordingLauncher.Launch> masks = b.kernels.launches.stream()
                .filter(l -> l.name().equals("fill_dropout_mask")).toList();
        assertEquals(expected.length, masks.size(), "one mask per piece and pass: " + b.kernels.names());
        for (int i = 0; i < expected.length; i++) {
            Object[] args = masks.get(i).args();
            assertArrayEquals(new Object[] {(int) expected[i], (int) (expected[i] >>> 32), 0.25f, 4f / 3f},
                    java.util.Arrays.copyOfRange(args, args.length - 4, args.length), "mask " + i);
        }
        assertEquals(2 * 2 + 2 * 4, b.products.size(), "two products per piece forward, four backward");
    }

    @Test
    void longLinesOfTheSoftmaxGradientGetAWorkGroupEach() {
        Storage y = b.allocate(dev.tessera.DType.FLOAT32, 1);
        Storage g = b.allocate(dev.tessera.DType.FLOAT32, 1);
        b.softmaxBackward(y, 3, g, 4, 2, 130, 3, g, 4, true);
        assertEquals("softmax_backward.c/softmax_backward_tree", b.kernels.names().get(0));
        RecordingLauncher.Launch l = b.kernels.only();
        assertArrayEquals(new long[] {6 * 64}, l.global());
        assertArrayEquals(new long[] {64}, l.local());
        assertArrayEquals(new Object[] {2, 130, 3, y, 3, g, 4, g, 4, 1, 1f}, l.args());
    }

    @Test
    void anEmptySoftmaxGradientLaunchesNothing() {
        Storage y = b.allocate(dev.tessera.DType.FLOAT32, 1);
        b.softmaxBackward(y, 0, y, 0, 0, 5, 3, y, 0, false);
        b.softmaxBackward(y, 0, y, 0, 2, 0, 3, y, 0, false);
        assertEquals(List.of(), b.kernels.launches);
    }
}
