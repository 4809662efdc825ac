package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.CountingBackend;
import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The index tables of the composed convolution and pooling defaults are uploaded once per backend
 * and geometry: a second call with the same geometry (any batch) uploads nothing, gives the same
 * bits, and the caches stay bounded.
 */
class ComposedTableCacheTest {

    private static View view(Backend b, float[] data, int... shape) {
        return new View(b.upload(data), shape, Shape.contiguousStrides(shape), 0);
    }

    private static View zeros(Backend b, DType t, int... shape) {
        return new View(b.allocate(t, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    private static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = ((i * 37 % 23) - 11) * scale;
        }
        return v;
    }

    private static float[] read(Backend b, View v) {
        return b.readFloats(v);
    }

    @Test
    void convolutionUploadsItsTableOnce() {
        CountingBackend counting = new CountingBackend(Device.opencl(6), true);
        Backend b = counting.backend();
        Conv2dSpec s = new Conv2dSpec(2, 3, 7, 6, 4, 3, 3, 2, 1, 1, 1, 1, 2, 1);
        View x = view(b, ramp(2 * 3 * 7 * 6, 0.1f), 2, 3, 7, 6);
        View w = view(b, ramp(4 * 3 * 9, 0.05f), 4, 3, 3, 3);
        View bias = view(b, new float[] {0.5f, -1f, 0f, 2f}, 4);
        View g = view(b, ramp(2 * 4 * s.outH() * s.outW(), 0.2f), 2, 4, s.outH(), s.outW());
        int before = counting.uploads();
        float[][] first = run(b, s, x, w, bias, g);
        int afterFirst = counting.uploads();
        assertEquals(1, afterFirst - before, "the first call uploads the im2col table once for forward and backward");
        float[][] second = run(b, s, x, w, bias, g);
        assertEquals(afterFirst, counting.uploads(), "the second call uploads nothing");
        for (int i = 0; i < first.length; i++) {
            assertArrayEquals(first[i], second[i]);
        }
        // The same geometry with another batch reuses the table.
        View x1 = view(b, ramp(3 * 7 * 6, 0.1f), 1, 3, 7, 6);
        int n = counting.uploads();
        b.conv2d(x1, w, bias, s.withBatch(1), zeros(b, DType.FLOAT32, 1, 4, s.outH(), s.outW()));
        assertEquals(n, counting.uploads(), "a batch of one reuses the table of the batch of two");
    }

    /** conv2d, its input and weight gradients on {@code b}; returns the three results. */
    private static float[][] run(Backend b, Conv2dSpec s, View x, View w, View bias, View g) {
        View y = zeros(b, DType.FLOAT32, 2, 4, s.outH(), s.outW());
        b.conv2d(x, w, bias, s, y);
        View gx = zeros(b, DType.FLOAT32, x.shape());
        b.conv2dBackwardInput(g, w, s, gx);
        View gw = zeros(b, DType.FLOAT32, w.shape());
        b.conv2dBackwardWeight(x, g, s, gw);
        return new float[][] {read(b, y), read(b, gx), read(b, gw)};
    }

    @Test
    void poolingUploadsItsTablesOnce() {
        CountingBackend counting = new CountingBackend(Device.opencl(6), true);
        Backend b = counting.backend();
        Pool2dSpec s = Pool2dSpec.window("test", 2, 3, 7, 6, 3, 2, 2, 2, 1, 1, false);
        Pool2dSpec a = Pool2dSpec.adaptive("test", 2, 3, 7, 6, 3, 4);
        View x = view(b, ramp(2 * 3 * 7 * 6, 0.1f), 2, 3, 7, 6);
        float[][] first = pools(b, s, a, x);
        int n = counting.uploads();
        float[][] second = pools(b, s, a, x);
        assertEquals(n, counting.uploads(), "the second round uploads nothing");
        for (int i = 0; i < first.length; i++) {
            assertArrayEquals(first[i], second[i]);
        }
    }

    private static float[][] pools(Backend b, Pool2dSpec s, Pool2dSpec a, View x) {
        View max = zeros(b, DType.FLOAT32, 2, 3, s.outH(), s.outW());
        View idx = zeros(b, DType.INT32, 2, 3, s.outH(), s.outW());
        b.maxPool2d(x, s, max, idx);
        View gMax = zeros(b, DType.FLOAT32, x.shape());
        b.maxPool2dBackward(max, idx, s, gMax);
        View avg = zeros(b, DType.FLOAT32, 2, 3, a.outH(), a.outW());
        b.avgPool2d(x, a, avg);
        View gAvg = zeros(b, DType.FLOAT32, x.shape());
        b.avgPool2dBackward(avg, a, gAvg);
        return new float[][] {read(b, max), read(b, gMax), read(b, avg), read(b, gAvg)};
    }

    /** The cached table for a backend, geometry number {@code i} and a batch size. */
    interface Lookup {
        Storage get(Backend b, int i, int batch);
    }

    /** A cached table: its name, its cache, and how to look it up. */
    record Cached(String name, dev.tessera.ConstantCache<?, Storage> cache, Lookup lookup) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Cached> caches() {
        return Stream.of(
                new Cached("conv2d table", ComposedConv.TABLES,
                        (b, i, n) -> ComposedConv.uploadedTable(b, new Conv2dSpec(n, 2, 5 + i, 5, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1))),
                new Cached("pool windows", ComposedPool.TABLES,
                        (b, i, n) -> ComposedPool.uploadedTable(b, Pool2dSpec.window("t", n, 2, 5 + i, 5, 2, 2, 2, 2, 0, 0, false))),
                new Cached("pool reciprocals", ComposedPool.TABLES,
                        (b, i, n) -> ComposedPool.uploadedReciprocals(b, Pool2dSpec.adaptive("t", n, 2, 5 + i, 5, 2, 3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caches")
    void sameKeySameTableAndBounded(Cached c) {
        Backend b = new CountingBackend(Device.opencl(6), true).backend();
        Backend other = new CountingBackend(Device.opencl(6), true).backend();
        Storage t = c.lookup().get(b, 0, 1);
        assertSame(t, c.lookup().get(b, 0, 1), "the same backend and geometry give the same table");
        assertSame(t, c.lookup().get(b, 0, 4), "the batch does not change the table");
        assertNotSame(t, c.lookup().get(other, 0, 1), "another backend gets its own table");
        for (int i = 0; i < 40; i++) {
            c.lookup().get(b, i, 2);
            assertTrue(c.cache().size() <= c.cache().capacity(), c.cache().toString());
        }
        assertEquals(c.cache().capacity(), c.cache().size());
    }
}
