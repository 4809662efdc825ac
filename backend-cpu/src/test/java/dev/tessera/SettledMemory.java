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
     * Runs garbage collections, each followed by the cleaner's pass over what it found, until
     * {@code device}'s statistics are unchanged over three rounds (at most 10 s), and returns them.
     * Waiting for the cleaner, not a fixed time, keeps this true on a busy machine.
     */
    public static MemoryStats of(Device device) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        MemoryStats last = device.memoryStats();
        int unchanged = 0;
        while (unchanged < 3 && System.nanoTime() < deadline) {
            dev.tessera.spi.MemoryLedger.awaitCleaner(2_000);
            MemoryStats now = device.memoryStats();
            unchanged = now.equals(last) ? unchanged + 1 : 0;
            last = now;
        }
        return last;
    }
}
