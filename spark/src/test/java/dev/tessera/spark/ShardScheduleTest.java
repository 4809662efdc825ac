package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which examples data-parallel replicas read. */
class ShardScheduleTest {

    @ParameterizedTest(name = "n={0}, partitions={1}, shuffle={2}")
    @CsvSource({"10, 3, false", "10, 3, true", "64, 2, false", "7, 7, true", "1000, 4, true"})
    void shardsPartitionTheExamples(int n, int partitions, boolean shuffle) {
        int[] seen = new int[n];
        for (int p = 0; p < partitions; p++) {
            int[] shard = ShardSchedule.shard(n, partitions, p, shuffle, 42);
            assertEquals(n * (p + 1) / partitions - n * p / partitions, shard.length);
            for (int i : shard) {
                seen[i]++;
            }
            if (!shuffle) {
                assertArrayEquals(IntStream.range(n * p / partitions, n * (p + 1) / partitions).toArray(), shard);
            }
        }
        int[] once = new int[n];
        Arrays.fill(once, 1);
        assertArrayEquals(once, seen);
    }

    @ParameterizedTest(name = "shuffle={0}")
    @CsvSource({"false", "true"})
    void everyPassReadsTheWholeShardOnce(boolean shuffle) {
        int[] shard = {10, 11, 12, 13, 14, 15};
        int b = 4; // 6 examples, batches of 4: passes straddle batches
        int[] stream = new int[24];
        for (int s = 0; s < 6; s++) {
            System.arraycopy(ShardSchedule.batch(shard, 1, s, b, shuffle, 7), 0, stream, s * b, b);
        }
        for (int pass = 0; pass < 4; pass++) {
            int[] part = Arrays.copyOfRange(stream, pass * 6, pass * 6 + 6);
            if (!shuffle) {
                assertArrayEquals(shard, part);
            }
            Arrays.sort(part);
            assertArrayEquals(shard, part);
        }
        if (shuffle) {
            assertNotEquals(Arrays.toString(Arrays.copyOfRange(stream, 0, 6)), Arrays.toString(Arrays.copyOfRange(stream, 6, 12)));
        }
    }
}
