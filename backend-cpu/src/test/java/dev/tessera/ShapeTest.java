package dev.tessera;

import static dev.tessera.Checks.assertIae;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The public {@link Shape} helpers: element counts (0-d, zero sizes, overflow), row-major
 * strides, NumPy broadcasting (checked against {@link Oracle#broadcastShape}), dimension
 * normalisation and formatting, with the op name in every error message.
 */
class ShapeTest {

    @Test
    void numel() {
        assertEquals(1, Shape.numel());
        assertEquals(24, Shape.numel(2, 3, 4));
        assertEquals(0, Shape.numel(2, 0, 4));
        assertIae(() -> Shape.numel(2, -1), "[2, -1]", "-1");
        assertIae(() -> Shape.numel(65536, 65536), "[65536, 65536]");
    }

    @Test
    void contiguousStrides() {
        assertArrayEquals(new int[] {12, 4, 1}, Shape.contiguousStrides(new int[] {2, 3, 4}));
        assertArrayEquals(new int[0], Shape.contiguousStrides(new int[0]));
        assertArrayEquals(new int[] {1, 1}, Shape.contiguousStrides(new int[] {5, 1}));
        assertArrayEquals(new int[] {4, 4, 1}, Shape.contiguousStrides(new int[] {2, 0, 4}));
    }

    @Test
    void broadcastMatchesNumPy() {
        int[][][] cases = {
            {{2, 3}, {3}}, {{3, 1}, {4}}, {{}, {2, 3}}, {{2, 1, 4}, {3, 1}}, {{1}, {0}}, {{5, 1, 1}, {1, 6, 1}},
            {{1, 1}, {}}, {{0, 3}, {1, 3}},
        };
        for (int[][] c : cases) {
            assertArrayEquals(Oracle.broadcastShape(c[0], c[1]), Shape.broadcast("op", c[0], c[1]));
            assertArrayEquals(Oracle.broadcastShape(c[1], c[0]), Shape.broadcast("op", c[1], c[0]));
        }
        assertIae(() -> Shape.broadcast("myop", new int[] {2, 3}, new int[] {4}), "myop", "[2, 3]", "[4]");
        assertIae(() -> Shape.broadcast("myop", new int[] {0}, new int[] {2}), "myop", "[0]", "[2]");
    }

    @Test
    void normalizeDim() {
        assertEquals(0, Shape.normalizeDim("op", 0, 3));
        assertEquals(2, Shape.normalizeDim("op", -1, 3));
        assertEquals(0, Shape.normalizeDim("op", -3, 3));
        assertIae(() -> Shape.normalizeDim("myop", 3, 3), "myop", "3");
        assertIae(() -> Shape.normalizeDim("myop", -4, 3), "myop", "-4");
        assertIae(() -> Shape.normalizeDim("myop", 0, 0), "myop", "0");
    }

    @Test
    void str() {
        assertEquals("[2, 3]", Shape.str(2, 3));
        assertEquals("[]", Shape.str());
    }

    @Test
    void deviceInfoDescribesItself() {
        DeviceInfo ok = new DeviceInfo(Device.cpu(), "test cpu", true, "fine");
        assertEquals("cpu available: test cpu (fine)", ok.toString());
        DeviceInfo bad = new DeviceInfo(Device.cuda(0), "gpu", false, "no driver");
        assertEquals("cuda:0 unavailable: gpu (no driver)", bad.toString());
        assertEquals("cpu available: x", new DeviceInfo(Device.cpu(), "x", true, "").toString());
    }
}
