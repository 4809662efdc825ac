package dev.tessera;

/**
 * Reads a device's memory statistics once the garbage collector has settled: on a device, every
 * live buffer counts until the cleaner frees it, so garbage of earlier code can vanish between two
 * readings unless both are taken after it is gone. Shared by the memory tests of every module.
 */
public final class SettledMemory {
    private SettledMemory() {
    }

    /**
     * Runs {@code System.gc()} with short waits until {@code device}'s statistics are unchanged over
     * three rounds (at most 10 s), and returns them.
     */
    public static MemoryStats of(Device device) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        MemoryStats last = device.memoryStats();
        int unchanged = 0;
        while (unchanged < 3 && System.nanoTime() < deadline) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            MemoryStats now = device.memoryStats();
            unchanged = now.equals(last) ? unchanged + 1 : 0;
            last = now;
        }
        return last;
    }
}
