package dev.tessera.nn.selection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.Generator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Params' typed getters, grids and the random-search distributions. */
class ParamsTest {

    @Test
    void typedGettersConvertNumbersAndNameWhatIsWrong() {
        Params p = Params.of("lr", 0.01, "hidden", 32, "epochs", 20.0, "optimizer", "adam", "nesterov", true);
        assertEquals(0.01, p.getDouble("lr"));
        assertEquals(0.01f, p.getFloat("lr"));
        assertEquals(32, p.getInt("hidden"));
        assertEquals(32.0, p.getDouble("hidden"));
        assertEquals(20, p.getInt("epochs"));
        assertEquals("adam", p.getString("optimizer"));
        assertTrue(p.getBoolean("nesterov"));
        assertEquals(7, p.getInt("missing", 7));
        assertEquals("{lr=0.01, hidden=32, epochs=20, optimizer=adam, nesterov=true}", p.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.getInt("dropout"));
        assertTrue(e.getMessage().contains("'dropout'") && e.getMessage().contains("hidden"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.getInt("lr"));
        assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.getDouble("optimizer"));
        assertTrue(e.getMessage().contains("not a number"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Params.of("lr"));
        assertThrows(IllegalArgumentException.class, () -> Params.of("lr", null));
    }

    @Test
    void theSeedIsNotAHyperparameter() {
        Params p = Params.of("lr", 0.1);
        Params seeded = p.withSeed(99);
        assertEquals(99, seeded.seed());
        assertEquals(p, seeded);
        assertEquals(p.hashCode(), seeded.hashCode());
        assertEquals(p.toString(), seeded.toString());
        assertEquals(List.of("lr"), List.copyOf(seeded.keys()));
        assertNotEquals(p, p.with("hidden", 3));
        assertEquals(Params.of(Map.of("a", 1)), Params.of("a", 1));
    }

    @Test
    void aGridVariesTheLastNameFastest() {
        ParamGrid grid = ParamGrid.builder().add("lr", 0.1, 0.01).add("hidden", 8, 16, 32).build();
        List<Params> c = grid.candidates();
        assertEquals(6, grid.size());
        assertEquals(Params.of("lr", 0.1, "hidden", 8), c.get(0));
        assertEquals(Params.of("lr", 0.1, "hidden", 16), c.get(1));
        assertEquals(Params.of("lr", 0.01, "hidden", 8), c.get(3));
        assertEquals(Params.of("lr", 0.01, "hidden", 32), c.get(5));
        assertThrows(IllegalArgumentException.class, () -> ParamGrid.builder().add("lr"));
        assertThrows(IllegalArgumentException.class, () -> ParamGrid.builder().add("lr", 1).add("lr", 2));
    }

    @Test
    void distributionsStayInTheirRanges() {
        Generator g = new Generator(1);
        double[] logs = new double[4000];
        boolean[] ints = new boolean[5];
        for (int i = 0; i < logs.length; i++) {
            double v = (double) Distribution.logUniform(1e-4, 1e-1).sample(g);
            assertTrue(v >= 1e-4 && v < 1e-1, "log-uniform draw " + v);
            logs[i] = Math.log10(v);
            double u = (double) Distribution.uniform(-1, 2).sample(g);
            assertTrue(u >= -1 && u < 2);
            int k = (int) Distribution.intRange(3, 7).sample(g);
            assertTrue(k >= 3 && k <= 7);
            ints[k - 3] = true;
        }
        double meanExponent = Arrays.stream(logs).average().orElse(0);
        assertEquals(-2.5, meanExponent, 0.05, "log-uniform: uniform in the exponent");
        assertTrue(ints[0] && ints[4], "both ends of an int range are drawn");
        assertEquals("b", Distribution.choice("b").sample(g));
        assertThrows(IllegalArgumentException.class, () -> Distribution.logUniform(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Distribution.uniform(2, 1));
        assertThrows(IllegalArgumentException.class, () -> Distribution.intRange(5, 4));
        assertThrows(IllegalArgumentException.class, () -> Distribution.choice());
    }

    @Test
    void aChoiceOnlySpaceIsSampledWithoutReplacement() {
        ParamDistributions space = ParamDistributions.builder().choice("a", 1, 2, 3).choice("b", "x", "y").build();
        List<Params> drawn = space.sample(5, 4);
        assertEquals(5, drawn.size());
        assertEquals(5, drawn.stream().distinct().count(), "no candidate twice: " + drawn);
        assertEquals(drawn, space.sample(5, 4));
    }
}
