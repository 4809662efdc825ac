package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.MemoryStats;
import dev.tessera.spi.Backend;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;
import org.junit.jupiter.api.Test;

/** The SPI additions for devices with their own memory, on the CPU backend and through its defaults. */
class BackendMemorySpiTest {
    private final Backend cpu = CpuBackend.INSTANCE;

    @Test
    void copyToMakesAContiguousRowMajorCopyOfAStridedView() {
        Storage s = cpu.upload(new float[] {1, 2, 3, 4, 5, 6});
        View transposed = new View(s, new int[] {3, 2}, new int[] {1, 3}, 0);
        Storage copy = cpu.copyTo(transposed, cpu);
        assertEquals(6, copy.length());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, cpu.readFloats(new View(copy, new int[] {6}, new int[] {1}, 0)));
        Storage ints = cpu.copyTo(new View(cpu.upload(new int[] {7, 8, 9}), new int[] {2}, new int[] {2}, 0), cpu);
        assertEquals(DType.INT32, ints.dtype());
        assertArrayEquals(new int[] {7, 9}, cpu.readInts(new View(ints, new int[] {2}, new int[] {1}, 0)));
    }

    @Test
    void ownsTellsItsStoragesFromOthers() {
        assertTrue(cpu.owns(cpu.allocate(DType.FLOAT32, 3)));
        Storage foreign = new Storage() {
            @Override
            public DType dtype() {
                return DType.FLOAT32;
            }

            @Override
            public int length() {
                return 1;
            }
        };
        assertFalse(cpu.owns(foreign));
    }

    @Test
    void scopedStoragesAreCountedUntilTheirScopeClosesAndReleaseIsIdempotent() {
        cpu.synchronize(); // the CPU runs every primitive before returning: a no-op
        MemoryStats before = cpu.memoryStats();
        Storage s;
        try (dev.tessera.MemoryScope scope = dev.tessera.MemoryScope.open()) {
            s = cpu.allocate(DType.FLOAT32, 1000);
            MemoryStats with = cpu.memoryStats();
            assertEquals(before.liveBuffers() + 1, with.liveBuffers(), with + " vs " + before);
            assertEquals(before.bytesInUse() + 4000, with.bytesInUse(), with + " vs " + before);
            s.release();
            s.release();
        }
        assertEquals(before, cpu.memoryStats());
        Storage unscoped = cpu.allocate(DType.FLOAT32, 10); // the garbage collector's: not counted
        assertEquals(before, cpu.memoryStats());
        assertEquals(10, unscoped.length());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> cpu.fill(new View(s, new int[] {1000}, new int[] {1}, 0), 1f));
        assertTrue(e.getMessage().contains("released by a MemoryScope"), e.getMessage());
        assertEquals(1000, s.length());
        assertEquals(DType.FLOAT32, s.dtype());
    }
}
