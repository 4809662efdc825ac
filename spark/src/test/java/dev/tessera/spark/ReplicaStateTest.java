package dev.tessera.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.Tensor;
import dev.tessera.nn.optim.OptimizerState;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Summing and averaging replicas' states, against hand-computed values. */
class ReplicaStateTest {

    private static ReplicaState replica(float w0, float w1, int count, float buf, double step, double lr, double loss) {
        Map<String, Tensor> model = new LinkedHashMap<>();
        model.put("fc.weight", Tensor.of(new float[] {w0, w1}, 1, 2));
        model.put("bn.num_batches_tracked", Tensor.ofInts(new int[] {count}, 1));
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("group.0.lr", lr);
        scalars.put("state.0.step", step);
        return new ReplicaState(model, new OptimizerState(Map.of("state.0.momentum_buffer", Tensor.of(new float[] {buf}, 1)),
                scalars), 1, loss);
    }

    @Test
    void threeReplicasAverageElementWise() {
        byte[] a = replica(1f, 2f, 4, 0.5f, 3, 0.1, 1.0).encode();
        byte[] b = replica(3f, -2f, 4, 1.5f, 3, 0.1, 2.0).encode();
        byte[] c = replica(5f, 9f, 5, 4.0f, 3, 0.1, 6.0).encode();
        ReplicaState sum = ReplicaState.decode(ReplicaState.sum(ReplicaState.sum(a, b), c));
        assertEquals(3, sum.replicas());
        // The driver's own state supplies the group hyperparameters; replicas' sums of them are ignored.
        OptimizerState driver = new OptimizerState(Map.of(), Map.of("group.0.lr", 0.1));
        ReplicaState mean = sum.average(driver);
        assertArrayEquals(new float[] {3f, 3f}, mean.model().get("fc.weight").toFloatArray());
        assertArrayEquals(new int[] {4}, mean.model().get("bn.num_batches_tracked").toIntArray()); // 13 / 3 rounded down
        assertArrayEquals(new float[] {2f}, mean.optimizer().tensors().get("state.0.momentum_buffer").toFloatArray());
        assertEquals(3.0, mean.optimizer().scalars().get("state.0.step"));
        assertEquals(0.1, mean.optimizer().scalars().get("group.0.lr"));
        assertEquals(3.0, mean.loss(), 1e-12);
        assertEquals(1, mean.replicas());
    }

    @Test
    void mismatchedReplicasFailNamingTheTensor() {
        byte[] a = replica(1f, 2f, 4, 0.5f, 3, 0.1, 1.0).encode();
        Map<String, Tensor> other = new LinkedHashMap<>();
        other.put("fc.weight", Tensor.of(new float[] {1f, 2f, 3f}, 1, 3));
        other.put("bn.num_batches_tracked", Tensor.ofInts(new int[] {4}, 1));
        byte[] b = new ReplicaState(other, new OptimizerState(Map.of("state.0.momentum_buffer", Tensor.of(new float[] {1f}, 1)),
                Map.of()), 1, 0).encode();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ReplicaState.sum(a, b));
        assertEquals(true, e.getMessage().contains("fc.weight"), e.getMessage());
    }
}
