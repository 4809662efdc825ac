package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The allocator's size classes: hand-worked values, and the invariants over a sweep of sizes. */
class SizeClassesTest {
    @ParameterizedTest
    @CsvSource({
        "0, 512", "1, 512", "4, 512", "512, 512", "513, 1024", "1000, 1024", "1048575, 1048576", "1048576, 1048576",
        // above 1 MiB: eight classes per power of two
        "1048577, 1179648", "1179648, 1179648", "2097152, 2097152", "2097153, 2359296", "3000000, 3145728",
        "1073741824, 1073741824", "1073741825, 1207959552"})
    void roundsUpToItsClass(long bytes, long expected) {
        assertEquals(expected, SizeClasses.classOf(bytes));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 511, 4096, 65_537, 1_048_577, 5_000_000, 123_456_789, 3L << 33})
    void aClassHoldsItsRequestWastesAtMostAnEighthAndIsItsOwnClass(long start) {
        for (long bytes = start; bytes < start + 5000; bytes += 37) {
            long c = SizeClasses.classOf(bytes);
            assertTrue(c >= bytes, bytes + " -> " + c);
            assertEquals(0, c % SizeClasses.SMALL_STEP, bytes + " -> " + c);
            assertTrue(bytes <= SizeClasses.SMALL_LIMIT ? c - bytes < SizeClasses.SMALL_STEP : c - bytes <= bytes / 8,
                    bytes + " -> " + c);
            assertEquals(c, SizeClasses.classOf(c), "a class is its own class: " + c);
            assertTrue(SizeClasses.classOf(bytes + 1) >= c, "monotone at " + bytes);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, -512})
    void aNegativeRequestIsRefused(long bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeClasses.classOf(bytes));
        assertTrue(e.getMessage().contains(Long.toString(bytes)), e.getMessage());
    }
}
