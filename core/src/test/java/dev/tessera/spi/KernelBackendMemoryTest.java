package dev.tessera.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.DType;
import dev.tessera.MemoryStats;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What KernelBackend does around the kernels: reads (directly, or through a temporary the copy
 * kernel fills), the device error record, synchronize, copies between devices, and the ledger; on
 * a fake backend over host arrays whose kernels are recorded instead of run.
 */
class KernelBackendMemoryTest {
    private final FakeKernelBackend b = FakeKernelBackend.recordingStrided();

    @Test
    void aContiguousReadCopiesFromTheOffsetWithoutAKernel() {
        Storage s = b.upload(new float[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new float[] {3, 4, 5, 6}, b.readFloats(new View(s, new int[] {2, 2}, new int[] {2, 1}, 2)));
        assertArrayEquals(new int[] {2, 3}, b.readInts(new View(b.upload(new int[] {1, 2, 3}), new int[] {2},
                new int[] {1}, 1)));
        assertEquals(List.of(), b.kernels.launches);
        assertEquals(2, b.errorReads, "every read reports device errors");
    }

    @Test
    void aStridedReadGoesThroughATemporaryThatIsReleased() {
        Storage s = b.upload(new float[] {1, 2, 3, 4, 5, 6});
        long live = b.memoryStats().liveBuffers();
        b.readFloats(new View(s, new int[] {2, 3}, new int[] {1, 2}, 0));
        RecordingLauncher.Launch l = b.kernels.only();
        assertEquals("elementwise.c/copy", l.file() + "/" + l.name());
        assertArrayEquals(new int[] {2, 3}, l.shape());
        assertArrayEquals(new int[][] {{1, 2}, {3, 1}}, l.strides());
        assertArrayEquals(new int[] {0, 0}, l.offsets());
        KernelStorage temp = (KernelStorage) l.args()[2];
        assertArrayEquals(new Object[] {s, 0, temp, 0}, l.args());
        assertEquals(DType.FLOAT32, temp.dtype());
        assertEquals(6, temp.length());
        assertTrue(temp.isReleased());
        assertEquals(live, b.memoryStats().liveBuffers());
        assertEquals(1, b.freed);
    }

    @Test
    void readingAnotherDtypeConvertsWithTheCopyKernel() {
        Storage s = b.upload(new float[] {1.5f, -2.5f});
        b.readInts(new View(s, new int[] {2}, new int[] {1}, 0));
        RecordingLauncher.Launch l = b.kernels.only();
        KernelStorage temp = (KernelStorage) l.args()[2];
        assertEquals(DType.INT32, temp.dtype());
        assertArrayEquals(new Object[] {s, 0, temp, 1}, l.args());
    }

    @Test
    void anEmptyReadStillReportsDeviceErrors() {
        b.errorInts[0] = 1;
        b.errorInts[1] = 1;
        assertThrows(IllegalArgumentException.class, () -> b.readFloats(new View(b.upload(new float[0]), new int[] {0},
                new int[] {1}, 0)));
        assertEquals(List.of(), b.kernels.launches);
    }

    @ParameterizedTest(name = "op {0}: {1}")
    @CsvSource({"1, gather", "2, scatterAdd"})
    void anIndexErrorARecordedIsThrownOnceAtTheNextSynchronize(int op, String name) {
        int[] record = {1, op, 7, 5, 2};
        System.arraycopy(record, 0, b.errorInts, 0, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::synchronize);
        assertEquals(name + ": index 7 is out of range for dimension 2 of size 5 (found on opencl:5 by a kernel queued"
                + " earlier: FakeCL reports kernel errors at the next read or synchronize)", e.getMessage());
        assertEquals(1, b.queueWaits);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0}, java.util.Arrays.copyOf(b.errorInts, 5), "the record is cleared");
        b.synchronize(); // nothing left to report
        assertEquals(2, b.queueWaits);
    }

    @Test
    void copyToItselfRunsTheCopyKernelIntoANewContiguousStorage() {
        Storage s = b.upload(new float[] {1, 2, 3, 4, 5, 6, 7});
        View src = new View(s, new int[] {3, 2}, new int[] {1, 3}, 1);
        Storage out = b.copyTo(src, b);
        RecordingLauncher.Launch l = b.kernels.only();
        assertEquals("elementwise.c/copy", l.file() + "/" + l.name());
        assertArrayEquals(new int[][] {{1, 3}, {2, 1}}, l.strides());
        assertArrayEquals(new int[] {1, 0}, l.offsets());
        assertArrayEquals(new Object[] {s, 0, out, 0}, l.args());
        assertEquals(6, out.length());
        assertTrue(b.owns(out));
        assertEquals(0, b.queueWaits, "a copy on one queue needs no wait");
    }

    @Test
    void copyToADeviceSharingMemoryWaitsForThisQueue() {
        FakeKernelBackend target = FakeKernelBackend.recordingStrided(dev.tessera.Device.opencl(6));
        b.sharesMemoryWith = target;
        Storage s = b.upload(new int[] {4, 5});
        Storage out = b.copyTo(new View(s, new int[] {2}, new int[] {1}, 0), target);
        assertTrue(target.owns(out));
        assertEquals(DType.INT32, out.dtype());
        assertArrayEquals(new Object[] {s, 1, out, 1}, b.kernels.only().args());
        assertEquals(List.of(), target.kernels.launches, "the copy runs on the source's queue");
        assertEquals(1, b.queueWaits);
    }

    @Test
    void copyToAnotherDeviceGoesThroughTheHost() {
        FakeKernelBackend target = FakeKernelBackend.recordingStrided(dev.tessera.Device.opencl(6));
        Storage s = b.upload(new float[] {1, 2, 3});
        Storage out = target.copyTo(new View(target.upload(new float[] {9}), new int[] {1}, new int[] {1}, 0), b);
        assertTrue(b.owns(out));
        Storage back = b.copyTo(new View(s, new int[] {2}, new int[] {1}, 1), target);
        assertTrue(target.owns(back));
        assertArrayEquals(new float[] {2, 3}, target.readFloats(new View(back, new int[] {2}, new int[] {1}, 0)));
        assertEquals(List.of(), b.kernels.launches);
    }

    @Test
    void theLedgerCountsLiveStoragesAndTheirBytes() {
        MemoryStats before = b.memoryStats();
        Storage s = b.allocate(DType.FLOAT32, 10);
        Storage t = b.allocate(DType.INT32, 3);
        assertEquals(new MemoryStats(before.liveBuffers() + 2, before.bytesInUse() + 52, 0), b.memoryStats());
        s.release();
        s.release();
        assertEquals(new MemoryStats(before.liveBuffers() + 1, before.bytesInUse() + 12, 0), b.memoryStats());
        assertEquals(1, b.freed);
        t.release();
    }

    @Test
    void aReleasedStorageCannotBeUsed() {
        FakeKernelBackend.Buffer s = (FakeKernelBackend.Buffer) b.allocate(DType.FLOAT32, 2);
        assertTrue(s.toString().startsWith("Buffer[FLOAT32 x 2 on opencl:5"), s.toString());
        s.release();
        assertTrue(s.isReleased());
        assertTrue(s.toString().endsWith(", released]"), s.toString());
        assertThrows(IllegalStateException.class, s::data);
        assertSame(b, s.owner());
    }
}
