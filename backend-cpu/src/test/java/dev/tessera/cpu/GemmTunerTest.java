package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the GEMM variant is chosen: from the CPU, by name, and from (injected) timings. */
class GemmTunerTest {

    @Test
    void theFastestMedianWinsWhateverTheOutliers() {
        Map<GemmVariant, double[]> t = new LinkedHashMap<>();
        t.put(GemmVariant.INPLACE_8X2, new double[] {1.0, 1.1, 0.2});   // median 1.0, one lucky run
        t.put(GemmVariant.PACKED_8X2, new double[] {0.9, 5.0, 0.8});    // median 0.9, one preempted run
        t.put(GemmVariant.PACKED_6X2, new double[] {0.95, 0.95, 0.95});
        assertEquals(GemmVariant.PACKED_8X2, GemmTuner.fastest(t));
    }

    @Test
    void sameTimingsGiveTheSameChoiceAndTiesGoToTheFirstListed() {
        Map<GemmVariant, double[]> t = new LinkedHashMap<>();
        t.put(GemmVariant.PACKED_12X2, new double[] {2, 1, 3, 4});   // median 2.5
        t.put(GemmVariant.PACKED_8X2, new double[] {3, 2, 1, 4});    // median 2.5
        for (int i = 0; i < 3; i++) {
            assertEquals(GemmVariant.PACKED_12X2, GemmTuner.fastest(t));
        }
    }

    @Test
    void missingTimingsAreNamed() {
        Map<GemmVariant, double[]> t = new LinkedHashMap<>();
        t.put(GemmVariant.PACKED_6X2, new double[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmTuner.fastest(t));
        assertTrue(e.getMessage().contains("packed6x2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmTuner.fastest(Map.of()));
    }

    @ParameterizedTest
    @CsvSource({"16,packed8x2", "8,packed6x2", "4,packed6x2"})
    void theCpuPicksATileThatFitsItsRegisters(int lanes, String expected) {
        assertEquals(expected, GemmTuner.byCpu(lanes).name());
    }

    @Test
    void avx2CandidatesLeaveOutTilesThatSpill() {
        List<GemmVariant> avx2 = GemmTuner.candidates(8);
        assertFalse(avx2.contains(GemmVariant.PACKED_12X2));
        assertTrue(avx2.contains(GemmVariant.PACKED_6X2));
        assertEquals(GemmVariant.ALL, GemmTuner.candidates(16));
    }

    @Test
    void variantsAreFoundByNameAndUnknownNamesListTheKnownOnes() {
        assertEquals(GemmVariant.PACKED_12X2, GemmVariant.forName(" Packed12x2 "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GemmVariant.forName("8x8"));
        assertTrue(e.getMessage().contains("'8x8'") && e.getMessage().contains("inplace8x2"), e.getMessage());
    }

    @Test
    void calibrationTimesEveryCandidateInEveryRound() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        Map<GemmVariant, double[]> t = GemmTuner.measure(GemmVariant.ALL, 16, 40, 24, 3);
        assertEquals(GemmVariant.ALL, List.copyOf(t.keySet()));
        t.forEach((v, times) -> {
            assertEquals(3, times.length, v.name());
            for (double s : times) {
                assertTrue(s > 0, v + ": " + s);
            }
        });
    }

    @Test
    void rowBlocksAreWholeTilesNear64Rows() {
        for (GemmVariant v : GemmVariant.ALL) {
            assertEquals(0, v.mc() % v.mr(), v.name());
            assertTrue(v.mc() >= 60 && v.mc() <= 72, v + " mc=" + v.mc());
        }
    }
}
