package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tessera.Generator;
import dev.tessera.nn.Dropout;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.optim.SGD;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The executor-side store of data-parallel replicas, and how a replica's random draws are reset each round. */
class ReplicaCacheTest {

    @AfterEach
    void empty() {
        ReplicaCache.clear();
    }

    private static ReplicaCache.Replica replica() {
        Module m = new Linear(2, 1, true, new Generator(1));
        return new ReplicaCache.Replica(m, new SGD(m.parameters(), 0.1f, 0f), new int[] {0, 1});
    }

    @Test
    void aTaskTakesItsReplicaOutAndPutsItBack() {
        ReplicaCache.Replica r = replica();
        assertNull(ReplicaCache.take("fit-a", 0));
        ReplicaCache.put("fit-a", 0, r);
        assertEquals(1, ReplicaCache.size());
        assertSame(r, ReplicaCache.take("fit-a", 0));
        assertNull(ReplicaCache.take("fit-a", 0), "a second attempt running at once does not get the same replica");
        ReplicaCache.put("fit-a", 0, r);
        ReplicaCache.put("fit-a", 1, replica());
        assertEquals(2, ReplicaCache.size());
    }

    @Test
    void anotherFitDropsTheReplicasAndReleaseFreesThem() {
        ReplicaCache.put("fit-a", 0, replica()); // ignored: no task of fit-a has run here
        assertEquals(0, ReplicaCache.size());
        assertNull(ReplicaCache.take("fit-a", 0));
        ReplicaCache.put("fit-a", 0, replica());
        ReplicaCache.put("fit-a", 1, replica());
        assertNull(ReplicaCache.take("fit-b", 0), "fit-b's first task drops fit-a's replicas");
        assertEquals(0, ReplicaCache.size());
        ReplicaCache.put("fit-a", 1, replica()); // a late task of fit-a
        assertEquals(0, ReplicaCache.size());
        ReplicaCache.put("fit-b", 0, replica());
        ReplicaCache.release("fit-a");
        assertEquals(1, ReplicaCache.size(), "releasing another fit leaves fit-b's replicas");
        ReplicaCache.release("fit-b");
        assertEquals(0, ReplicaCache.size());
        assertNull(ReplicaCache.take("fit-b", 0));
    }

    /**
     * A kept replica's dropout generators continue from the last round; reseeding puts them where a
     * freshly built replica's are put: a state of the seed, partition, round and module name only.
     */
    @Test
    void reseedingDependsOnlyOnSeedPartitionRoundAndName() {
        Module kept = new Sequential(new Dropout(0.5, new Generator(1)), new Linear(2, 2, true, new Generator(2)),
                new Dropout(0.5, new Generator(3)));
        Module fresh = new Sequential(new Dropout(0.5, new Generator(77)), new Linear(2, 2, true, new Generator(78)),
                new Dropout(0.5, new Generator(79)));
        ((Dropout) kept.namedModules().get("0")).generator().nextLong(); // a round's draws
        ReplicaJob.reseed(kept, 9, 1, 4);
        ReplicaJob.reseed(fresh, 9, 1, 4);
        for (String name : new String[] {"0", "2"}) {
            long a = ((Dropout) kept.namedModules().get(name)).generator().state();
            long b = ((Dropout) fresh.namedModules().get(name)).generator().state();
            assertEquals(a, b, name);
        }
        long first = ((Dropout) kept.namedModules().get("0")).generator().state();
        long second = ((Dropout) kept.namedModules().get("2")).generator().state();
        assertEquals(false, first == second, "two dropout layers draw different masks");
        ReplicaJob.reseed(fresh, 9, 0, 4);
        assertEquals(false, first == ((Dropout) fresh.namedModules().get("0")).generator().state(), "partitions differ");
        ReplicaJob.reseed(fresh, 9, 1, 5);
        assertEquals(false, first == ((Dropout) fresh.namedModules().get("0")).generator().state(), "rounds differ");
    }
}
