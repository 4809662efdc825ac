package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The primitives KernelBackend plans for any device: which kernel of which file, over which shape,
 * strides and offsets, with which arguments; checked against hand-written expectations on a fake
 * backend that records launches instead of running them.
 */
class KernelBackendTest {
    private final FakeKernelBackend b = FakeKernelBackend.recordingStrided();

    private View ints(int... shape) {
        return new View(b.allocate(DType.INT32, 24), shape, dev.tessera.Shape.contiguousStrides(shape), 0);
    }

    private static void assertStrided(RecordingLauncher.Launch l, String file, String name, int[] shape, int[][] strides,
                                      int[] offsets, Object... args) {
        assertTrue(l.strided(), l.name() + " should be a strided launch");
        assertEquals(file + "/" + name, l.file() + "/" + l.name());
        assertArrayEquals(shape, l.shape(), "shape");
        assertArrayEquals(strides, l.strides(), "strides");
        assertArrayEquals(offsets, l.offsets(), "offsets");
        assertArrayEquals(args, l.args(), "arguments");
    }

    private static void assert1d(RecordingLauncher.Launch l, String file, String name, long global, long local,
                                 Object... args) {
        assertFalse(l.strided(), l.name() + " should be a plain launch");
        assertEquals(file + "/" + name, l.file() + "/" + l.name());
        assertArrayEquals(new long[] {global}, l.global(), "global size");
        assertArrayEquals(new long[] {local}, l.local(), "local size");
        assertArrayEquals(args, l.args(), "arguments");
    }

    // ---------------------------------------------------------------- elementwise

    @Test
    void fillPassesTheValueAsFloatAndInt() {
        View out = b.view(12, new int[] {2, 3}, new int[] {1, 2}, 4);
        b.fill(out, 2.75f);
        assertStrided(b.kernels.only(), "elementwise.c", "fill", new int[] {2, 3}, new int[][] {{1, 2}}, new int[] {4},
                out.storage(), 0, 2.75f, 2);
    }

    @Test
    void fillOfAnIntStorageFlagsIt() {
        View out = ints(4);
        b.fill(out, -3f);
        assertStrided(b.kernels.only(), "elementwise.c", "fill", new int[] {4}, new int[][] {{1}}, new int[] {0},
                out.storage(), 1, -3f, -3);
    }

    @Test
    void copyFlagsTheDtypeOfBothSides() {
        View src = ints(2, 3);
        View out = b.view(6, new int[] {2, 3}, new int[] {1, 2}, 0);
        b.copy(src, out);
        assertStrided(b.kernels.only(), "elementwise.c", "copy", new int[] {2, 3}, new int[][] {{3, 1}, {1, 2}},
                new int[] {0, 0}, src.storage(), 1, out.storage(), 0);
    }

    @Test
    void unaryPassesTheOpAndItsParameter() {
        View x = b.view(10, new int[] {3}, new int[] {3}, 1);
        View out = b.contiguous(3);
        b.unary(UnaryOp.values()[2], 0.5f, x, out);
        assertStrided(b.kernels.only(), "elementwise.c", "unary", new int[] {3}, new int[][] {{3}, {1}}, new int[] {1, 0},
                2, 0.5f, x.storage(), out.storage());
    }

    @Test
    void binaryIntoFloatsFlagsIntInputs() {
        View x = b.contiguous(2, 3);
        View y = new View(b.allocate(DType.INT32, 3), new int[] {2, 3}, new int[] {0, 1}, 0); // broadcast row
        View out = b.contiguous(2, 3);
        b.binary(BinaryOp.values()[1], x, y, out);
        assertStrided(b.kernels.only(), "elementwise.c", "binary", new int[] {2, 3}, new int[][] {{3, 1}, {0, 1}, {3, 1}},
                new int[] {0, 0, 0}, 1, x.storage(), 0, y.storage(), 1, out.storage());
    }

    @Test
    void binaryIntoIntsUsesTheIntegerKernel() {
        View x = ints(4);
        View y = ints(4);
        View out = ints(4);
        b.binary(BinaryOp.values()[0], x, y, out);
        assertStrided(b.kernels.only(), "elementwise.c", "binary_int", new int[] {4}, new int[][] {{1}, {1}, {1}},
                new int[] {0, 0, 0}, 0, x.storage(), y.storage(), out.storage());
    }

    @Test
    void whereReadsTheConditionWithItsDtype() {
        View cond = ints(2, 2);
        View x = b.contiguous(2, 2);
        View y = b.view(4, new int[] {2, 2}, new int[] {0, 0}, 3); // a broadcast scalar
        View out = b.contiguous(2, 2);
        b.where(cond, x, y, out);
        assertStrided(b.kernels.only(), "elementwise.c", "where_select", new int[] {2, 2},
                new int[][] {{2, 1}, {2, 1}, {0, 0}, {2, 1}}, new int[] {0, 0, 3, 0}, cond.storage(), 1, x.storage(),
                y.storage(), out.storage());
    }

    // ---------------------------------------------------------------- reductions

    @ParameterizedTest(name = "{0} x {1} x {2}, {3}: {4}, global {5}")
    @CsvSource({
        "3, 127, 5, FLOAT32, reduce_serial, 64",
        "3, 128, 5, FLOAT32, reduce_tree, 960",
        "100, 1000, 1, INT32, reduce_int, 128",
        "2, 500, 3, INT32, reduce_int, 64"})
    void reduceChoosesTheKernelByLineLengthAndDtype(int outer, int n, int inner, DType dtype, String kernel, long global) {
        Storage x = b.allocate(dtype, 8);
        Storage out = b.allocate(dtype, 8);
        b.reduce(ReduceOp.values()[1], x, 2, outer, n, inner, out, 4);
        assert1d(b.kernels.only(), "reduce.c", kernel, global, 64, 1, outer, n, inner, x, 2, out, 4);
    }

    @Test
    void reducingNoLinesLaunchesNothing() {
        Storage x = b.allocate(DType.FLOAT32, 1);
        b.reduce(ReduceOp.values()[0], x, 0, 0, 300, 4, x, 0);
        b.reduce(ReduceOp.values()[0], x, 0, 4, 300, 0, x, 0);
        assertEquals(List.of(), b.kernels.launches);
    }

    @ParameterizedTest(name = "n = {0}: {1}")
    @CsvSource({"127, softmax_serial, 64, 0", "128, softmax_tree, 384, 1"})
    void softmaxChoosesTheKernelByLineLength(int n, String kernel, long global, int log) {
        Storage x = b.allocate(DType.FLOAT32, 8);
        Storage out = b.allocate(DType.FLOAT32, 8);
        b.softmax(x, 1, 2, n, 3, out, 5, log == 1);
        assert1d(b.kernels.only(), "reduce.c", kernel, global, 64, 2, n, 3, 1f, x, 1, out, 5, log);
    }

    @Test
    void softmaxOfEmptyLinesLaunchesNothing() {
        Storage x = b.allocate(DType.FLOAT32, 1);
        b.softmax(x, 0, 3, 0, 2, x, 0, false);
        b.softmax(x, 0, 0, 5, 2, x, 0, true);
        assertEquals(List.of(), b.kernels.launches);
    }

    // ---------------------------------------------------------------- matmul

    @Test
    void matmulHandsTheViewsToTheGemm() {
        View x = b.contiguous(2, 3, 4);
        View y = b.view(24, new int[] {2, 4, 5}, new int[] {0, 1, 4}, 0);
        View c = b.contiguous(2, 3, 5);
        b.matmul(x, y, c, true);
        assertEquals(List.of(new FakeKernelBackend.Product(x, y, c, true)), b.products);
        assertEquals(List.of(), b.kernels.launches);
    }

    @Test
    void anEmptyProductDoesNothingAndAnEmptySumFillsZeros() {
        b.matmul(b.contiguous(0, 3, 4), b.contiguous(0, 4, 5), b.contiguous(0, 3, 5), false);
        b.matmul(b.contiguous(2, 3, 0), b.contiguous(2, 0, 5), b.contiguous(2, 3, 5), true);
        assertEquals(List.of(), b.kernels.launches);
        View c = b.contiguous(2, 3, 5);
        b.matmul(b.contiguous(2, 3, 0), b.contiguous(2, 0, 5), c, false);
        assertStrided(b.kernels.only(), "elementwise.c", "fill", new int[] {2, 3, 5}, new int[][] {{15, 5, 1}},
                new int[] {0}, c.storage(), 0, 0f, 0);
        assertEquals(List.of(), b.products);
    }

    @Test
    void matmulRejectsAnotherDevicesStorageBeforeTheGemm() {
        View foreign = new View(new ForeignStorage(), new int[] {1, 2, 2}, new int[] {4, 2, 1}, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.matmul(b.contiguous(1, 2, 2), foreign, b.contiguous(1, 2, 2), false));
        assertTrue(e.getMessage().startsWith("opencl backend (opencl:5): storage " + ForeignStorage.class.getName()
                + " belongs to another device; move the tensor with to(opencl:5)"), e.getMessage());
        assertEquals(List.of(), b.products);
    }

    // ---------------------------------------------------------------- indexing

    @Test
    void gatherZeroesTheAxisStrideAndPassesItSeparately() {
        View x = b.contiguous(4, 3);
        View index = ints(2, 3);
        View out = b.view(12, new int[] {2, 3}, new int[] {3, 1}, 6);
        b.gather(x, 0, index, out);
        assertStrided(b.kernels.only(), "index.c", "gather", new int[] {2, 3}, new int[][] {{0, 1}, {3, 1}, {3, 1}},
                new int[] {0, 0, 6}, x.storage(), 3, 4, 0, 0, index.storage(), out.storage(), b.errorBuffer);
    }

    @Test
    void scatterAddRunsOneItemPerLineAlongTheAxis() {
        View src = b.contiguous(2, 3, 4);
        View index = ints(2, 3, 4);
        View out = b.view(48, new int[] {2, 5, 4}, new int[] {20, 4, 1}, 8);
        b.scatterAdd(src, 1, index, out);
        assertStrided(b.kernels.only(), "index.c", "scatter_add", new int[] {2, 4}, new int[][] {{12, 1}, {12, 1}, {20, 1}},
                new int[] {0, 0, 8}, 3, src.storage(), 4, index.storage(), 4, out.storage(), 4, 5, 1, b.errorBuffer);
    }

    @Test
    void scatterAddOfEmptyLinesLaunchesNothing() {
        b.scatterAdd(b.contiguous(2, 0), 1, ints(2, 0), b.contiguous(2, 3));
        assertEquals(List.of(), b.kernels.launches);
    }

    // ---------------------------------------------------------------- ownership

    @Test
    void ownsOnlyItsOwnStorages() {
        FakeKernelBackend other = FakeKernelBackend.recordingStrided(dev.tessera.Device.opencl(6));
        assertTrue(b.owns(b.allocate(DType.FLOAT32, 1)));
        assertFalse(b.owns(other.allocate(DType.FLOAT32, 1)));
        assertFalse(b.owns(new ForeignStorage()));
        assertEquals(FakeKernelBackend.DEVICE, b.device());
    }

    @Test
    void aForeignStorageIsNamedWithTheDevice() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.fill(new View(new ForeignStorage(), new int[] {1}, new int[] {1}, 0), 1f));
        assertTrue(e.getMessage().contains("opencl backend (opencl:5)"), e.getMessage());
        assertEquals(List.of(), b.kernels.launches);
    }

    @Test
    void theConvolutionBudgetIsAtLeastOneFloat() {
        assertEquals(16L << 20, b.convBudget());
        b.convBudget(7);
        assertEquals(7, b.convBudget());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.convBudget(0));
        assertTrue(e.getMessage().contains("0 floats"), e.getMessage());
    }

    @Test
    void namesTheGemmInUse() {
        assertEquals("recorded", b.gemmName());
    }

    /** A storage of no kernel backend. */
    static final class ForeignStorage implements Storage {
        @Override
        public DType dtype() {
            return DType.FLOAT32;
        }

        @Override
        public int length() {
            return 4;
        }
    }
}
