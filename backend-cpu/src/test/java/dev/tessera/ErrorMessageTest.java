package dev.tessera;

import static dev.tessera.Checks.assertIae;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Bad input must throw {@link IllegalArgumentException} (never an ArrayIndexOutOfBoundsException
 * or other exception from inside a kernel) with a message that names the op and the offending
 * shapes or values: shape mismatches, bad dims, bad sizes, out-of-range indices (also on inputs
 * large enough to run on several threads), bad dtypes and bad arguments.
 *
 * <p>Out-of-range indices are found by the gather and scatter-add kernels. The CPU backend (and the
 * foreign test backend, which runs its kernels) throws as the op runs; a GPU cannot throw inside a
 * kernel and reports at the next read or synchronisation instead, so those tests read the result
 * ({@link #assertIaeByRead}): on every device the exception comes at the latest there, naming
 * the index and the size.
 */
class ErrorMessageTest {
    private static final Tensor M23 = Tensor.zeros(2, 3);

    @Test
    void matmulShapes() {
        assertIae(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)), "matmul", "[2, 3]", "[4, 5]", "3", "4");
        assertIae(() -> Tensor.zeros(3).matmul(Tensor.zeros(4)), "matmul", "[3]", "[4]");
        assertIae(() -> Tensor.zeros(2, 3).matmul(Tensor.zeros(2)), "matmul", "[2, 3]", "[2]");
        assertIae(() -> Tensor.zeros(2, 2, 3).matmul(Tensor.zeros(3, 3, 4)), "matmul", "[2]", "[3]");
        assertIae(() -> Tensor.scalar(1f).matmul(Tensor.zeros(2)), "matmul", "[]", "[2]");
        assertIae(() -> Tensor.ofInts(new int[] {1, 2}).matmul(Tensor.zeros(2)), "matmul", "INT32");
    }

    @Test
    void broadcastingShapes() {
        assertIae(() -> M23.add(Tensor.zeros(4)), "add", "[2, 3]", "[4]");
        assertIae(() -> M23.sub(Tensor.zeros(3, 3)), "sub", "[2, 3]", "[3, 3]");
        assertIae(() -> M23.mul(Tensor.zeros(2)), "mul", "[2, 3]", "[2]");
        assertIae(() -> M23.div(Tensor.zeros(4, 1, 2)), "div", "[2, 3]", "[4, 1, 2]");
        assertIae(() -> M23.pow(Tensor.zeros(5)), "pow", "[2, 3]", "[5]");
        assertIae(() -> M23.maximum(Tensor.zeros(5)), "maximum", "[5]");
        assertIae(() -> M23.eq(Tensor.zeros(5)), "eq", "[5]");
        assertIae(() -> M23.lt(Tensor.zeros(5)), "lt", "[5]");
        assertIae(() -> Tensor.where(Tensor.zeros(4), M23, M23), "where", "[4]", "[2, 3]");
    }

    @Test
    void reshapeSizes() {
        assertIae(() -> M23.reshape(4, 2), "reshape", "[4, 2]", "[2, 3]", "6");
        assertIae(() -> M23.reshape(4, -1), "reshape", "[4, -1]", "[2, 3]");
        assertIae(() -> M23.reshape(-1, -1), "reshape", "-1");
        assertIae(() -> M23.reshape(-2, 3), "reshape", "-2");
        assertIae(() -> M23.reshape(0, -1), "reshape", "[0, -1]");
        assertIae(() -> M23.t().reshape(5), "reshape", "[5]", "[3, 2]");
    }

    @Test
    void dimsOutOfRange() {
        assertIae(() -> M23.transpose(0, 5), "transpose", "5");
        assertIae(() -> M23.transpose(-3, 0), "transpose", "-3");
        assertIae(() -> M23.sum(3, false), "sum", "3");
        assertIae(() -> M23.sum(-3, true), "sum", "-3");
        assertIae(() -> M23.mean(2, false), "mean", "2");
        assertIae(() -> M23.var(2, false, false), "var", "2");
        assertIae(() -> M23.max(2, false), "max", "2");
        assertIae(() -> M23.min(-5, false), "min", "-5");
        assertIae(() -> M23.argmax(2), "argmax", "2");
        assertIae(() -> M23.argmin(2), "argmin", "2");
        assertIae(() -> M23.softmax(2), "softmax", "2");
        assertIae(() -> M23.logSoftmax(-3), "logSoftmax", "-3");
        assertIae(() -> M23.unsqueeze(4), "unsqueeze", "4");
        assertIae(() -> M23.squeeze(2), "squeeze", "2");
        assertIae(() -> M23.slice(2, 0, 1), "slice", "2");
        assertIae(() -> M23.select(2, 0), "select", "2");
        assertIae(() -> M23.flatten(0, 2), "flatten", "2");
        assertIae(() -> M23.permute(0, 2), "permute", "2");
        assertIae(() -> M23.split(1, 2), "split", "2");
        assertIae(() -> M23.chunk(2, 2), "chunk", "2");
        assertIae(() -> M23.gather(2, Tensor.ofInts(new int[] {0, 0, 0, 0, 0, 0}, 2, 3)), "gather", "2");
        assertIae(() -> M23.indexSelect(2, Tensor.ofInts(new int[] {0})), "indexSelect", "2");
        assertIae(() -> Tensor.cat(List.of(M23, M23), 2), "cat", "2");
        assertIae(() -> Tensor.stack(List.of(M23, M23), 3), "stack", "3");
        assertIae(() -> M23.size(2), "size", "2");
        assertIae(() -> Tensor.scalar(1f).transpose(0, 1), "transpose");
        assertIae(() -> Tensor.zeros(2, 3, 4).t(), "t:", "[2, 3, 4]");
    }

    @Test
    void catAndStackShapes() {
        assertIae(() -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(3, 4)), 0), "cat", "[3, 4]", "[2, 3]");
        assertIae(() -> Tensor.cat(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 3, 1)), 0), "cat", "[2, 3, 1]", "[2, 3]");
        assertIae(() -> Tensor.cat(List.of(Tensor.zeros(2), Tensor.ofInts(new int[] {1})), 0), "cat", "INT32", "FLOAT32");
        assertIae(() -> Tensor.cat(List.of(), 0), "cat");
        assertIae(() -> Tensor.cat(List.of(Tensor.scalar(1f)), 0), "cat");
        assertIae(() -> Tensor.stack(List.of(Tensor.zeros(2, 3), Tensor.zeros(3, 2)), 0), "stack", "[3, 2]", "[2, 3]");
        assertIae(() -> Tensor.stack(List.of(), 0), "stack");
    }

    /** True where the backend checks indices as the op runs: the CPU, and the foreign test backend running its kernels. */
    private static boolean throwsAtTheOp() {
        return TestDevice.isCpu() || TestDevice.isForeign();
    }

    /**
     * Asserts that an op with a bad index throws {@link IllegalArgumentException} whose message
     * contains {@code fragments}: where {@link #throwsAtTheOp()}, the op itself must throw; on a
     * device that reports kernel errors later, at the latest when its result is read.
     */
    private static String assertIaeByRead(Supplier<Tensor> op, String... fragments) {
        if (throwsAtTheOp()) {
            return assertIae(op::get, fragments);
        }
        return assertIae(() -> op.get().toFloatArray(), fragments);
    }

    /**
     * Asserts that an index error of indexSelect starts with "indexSelect: " and does not name the
     * primitive. A device that finds the index in its gather kernel and reports it at a later read
     * cannot know which op queued the kernel: there "gather: " is accepted as well.
     */
    private static void assertNamesIndexSelect(String message) {
        if (throwsAtTheOp()) {
            assertPlain(message, "indexSelect: ");
            assertFalse(message.contains("gather"), "indexSelect's message names the primitive instead: " + message);
        } else {
            assertPlain(message, message.startsWith("gather: ") ? "gather: " : "indexSelect: ");
        }
    }

    @Test
    void gatherIndexOutOfRange() {
        Tensor x = Tensor.zeros(2, 3);
        assertIaeByRead(() -> x.gather(1, Tensor.ofInts(new int[] {0, 5}, 2, 1)), "gather", "5", "3");
        assertIaeByRead(() -> x.gather(1, Tensor.ofInts(new int[] {-1, 0}, 2, 1)), "gather", "-1", "3");
        assertIaeByRead(() -> x.gather(0, Tensor.ofInts(new int[] {2, 0, 0}, 1, 3)), "gather", "2");
        assertIae(() -> x.gather(1, Tensor.ofInts(new int[] {0, 0, 0, 0}, 1, 4, 1)), "gather", "[1, 4, 1]", "[2, 3]");
        assertIae(() -> x.gather(0, Tensor.ofInts(new int[] {0, 0, 0, 0}, 1, 4)), "gather", "[1, 4]", "[2, 3]");
        assertIae(() -> x.gather(1, Tensor.of(new float[] {0, 1}, 2, 1)), "gather", "INT32");
    }

    @Test
    void indexSelectIndexOutOfRange() {
        Tensor x = Tensor.zeros(3, 2);
        assertNamesIndexSelect(assertIaeByRead(() -> x.indexSelect(0, Tensor.ofInts(new int[] {0, 7})), "7", "3"));
        assertNamesIndexSelect(assertIaeByRead(() -> x.indexSelect(1, Tensor.ofInts(new int[] {-1})), "-1", "2"));
    }

    @Test
    void indexSelectBadIndexTensor() {
        Tensor x = Tensor.zeros(3, 2);
        assertIae(() -> x.indexSelect(0, Tensor.ofInts(new int[] {0, 1}, 1, 2)), "indexSelect", "[1, 2]");
        assertIae(() -> x.indexSelect(0, Tensor.of(new float[] {0})), "indexSelect", "INT32");
    }

    @Test
    void outOfRangeIndexInALargeInputStillThrowsIllegalArgument() {
        int rows = 300;
        int cols = 517;
        int[] idx = new int[rows * cols];
        idx[rows * cols - 7] = cols + 3; // one bad index near the end: found by a pool worker thread
        Tensor x = Tensor.zeros(rows, cols);
        assertIaeByRead(() -> x.gather(1, Tensor.ofInts(idx, rows, cols)), "gather", String.valueOf(cols + 3),
                String.valueOf(cols));
        int[] rowIdx = new int[200];
        rowIdx[150] = -2;
        assertIaeByRead(() -> x.indexSelect(0, Tensor.ofInts(rowIdx)), "-2", String.valueOf(rows));
    }

    @Test
    void errorFromAWorkerThreadKeepsAPlainMessage() {
        // Same inputs as above: the message must read as it does for a small input, not be
        // wrapped in "java.lang.IllegalArgumentException: ..." by the thread pool.
        int rows = 300;
        int cols = 517;
        int[] idx = new int[rows * cols];
        idx[rows * cols - 7] = cols + 3;
        Tensor x = Tensor.zeros(rows, cols);
        String g = assertIaeByRead(() -> x.gather(1, Tensor.ofInts(idx, rows, cols)), String.valueOf(cols + 3));
        assertPlain(g, "gather: ");
        int[] rowIdx = new int[200];
        rowIdx[150] = -2;
        assertNamesIndexSelect(assertIaeByRead(() -> x.indexSelect(0, Tensor.ofInts(rowIdx)), "-2"));
    }

    private static void assertPlain(String message, String prefix) {
        assertTrue(message.startsWith(prefix), "message should start with '" + prefix + "': " + message);
        assertFalse(message.contains("java.lang."), "message carries a wrapped exception's toString(): " + message);
    }

    @Test
    void selectAndGetOutOfRange() {
        assertIae(() -> M23.select(1, 3), "select", "3", "[2, 3]");
        assertIae(() -> M23.select(0, -3), "select", "-3");
        assertIae(() -> M23.get(2, 0), "get", "2", "[2, 3]");
        assertIae(() -> M23.get(0), "get", "[2, 3]");
    }

    @Test
    void itemOfManyElements() {
        assertIae(M23::item, "item", "[2, 3]", "6");
        assertIae(() -> Tensor.zeros(0).item(), "item", "[0]");
    }

    @Test
    void creationSizes() {
        assertIae(() -> Tensor.of(new float[5], 2, 3), "Tensor.of", "5", "[2, 3]");
        assertIae(() -> Tensor.ofInts(new int[5], 2, 3), "Tensor.ofInts", "5", "[2, 3]");
        assertIae(() -> Tensor.arange(-1), "arange", "-1");
        assertIae(() -> Tensor.eye(-2), "eye", "-2");
        assertIae(() -> Tensor.of(new float[4], 100000, 100000), "[100000, 100000]");
    }

    @Test
    void negativeSizesNameTheOp() {
        assertIae(() -> Tensor.zeros(2, -3), "zeros", "[2, -3]");
        assertIae(() -> Tensor.full(1f, -1), "full", "[-1]");
        assertIae(() -> Tensor.rand(new Generator(1), -4), "rand", "[-4]");
    }

    @Test
    void expandAndPermute() {
        assertIae(() -> M23.expand(4, 3), "expand", "[2, 3]", "[4, 3]");
        assertIae(() -> M23.expand(3), "expand", "[3]", "[2, 3]");
        assertIae(() -> M23.expand(-1, 3, 3), "expand", "-1");
        assertIae(() -> M23.permute(0, 0), "permute", "[0, 0]");
        assertIae(() -> M23.permute(1, -1), "permute", "[1, -1]");
        assertIae(() -> M23.permute(0), "permute", "[0]", "[2, 3]");
        assertIae(() -> M23.permute(0, 1, 2), "permute", "[0, 1, 2]");
    }

    @Test
    void badArguments() {
        assertIae(() -> M23.slice(1, 0, 3, 0), "slice", "0");
        assertIae(() -> M23.slice(1, 0, 3, -1), "slice", "-1");
        assertIae(() -> M23.split(0, 1), "split", "0");
        assertIae(() -> M23.chunk(0, 1), "chunk", "0");
        assertIae(() -> M23.flatten(1, 0), "flatten");
        assertIae(() -> M23.clamp(1f, -1f), "clamp", "1.0", "-1.0");
        assertIae(() -> Tensor.zeros(1, 3).var(0, false, true), "var", "[1, 3]");
        assertIae(() -> M23.t().t().contiguous().reshape(2, 3).mul(1f).backward(), "backward", "[2, 3]");
    }

    @Test
    void inPlaceShapeErrors() {
        assertIae(() -> Tensor.zeros(2, 3).copyFrom(Tensor.zeros(4)), "copyFrom", "[4]", "[2, 3]");
        assertIae(() -> Tensor.zeros(2, 3).mulInPlace(Tensor.zeros(2, 2, 3)), "mulInPlace", "[2, 2, 3]", "[2, 3]");
    }
}
