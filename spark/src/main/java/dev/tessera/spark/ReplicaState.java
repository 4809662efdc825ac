package dev.tessera.spark;

import dev.tessera.DType;
import dev.tessera.Tensor;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.optim.OptimizerState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state that data-parallel training moves around, as safetensors bytes: the model's state
 * dict ({@code model.<name>}), the optimizer's buffers ({@code optim.<key>}) and, in the metadata,
 * the optimizer's scalars ({@code optim.<key>}), the number of replicas summed ({@code replicas})
 * and the sum of their mean training losses ({@code loss}). Replicas' states are summed pairwise
 * by {@link #sum} (associative and commutative, for {@code treeReduce}) and divided by the count by
 * {@link #average}.
 *
 * @param model     the model's parameters and buffers by name
 * @param optimizer the optimizer's state
 * @param replicas  how many replicas' states were summed into this one (1 for one replica)
 * @param loss      the sum of the replicas' mean training losses
 */
record ReplicaState(Map<String, Tensor> model, OptimizerState optimizer, int replicas, double loss) {
    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";

    /** Returns this state as safetensors bytes. */
    byte[] encode() {
        return SafeTensorBytes.encode(tensors(), metadata());
    }

    /** Returns the tensors under their prefixed names. */
    Map<String, Tensor> tensors() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        model.forEach((k, v) -> t.put(MODEL + k, v));
        optimizer.tensors().forEach((k, v) -> t.put(OPTIM + k, v));
        return t;
    }

    /** Returns the scalars, count and loss as metadata strings (doubles written so they read back exactly). */
    Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("replicas", Integer.toString(replicas));
        m.put("loss", Double.toString(loss));
        optimizer.scalars().forEach((k, v) -> m.put(OPTIM + k, Double.toString(v)));
        return m;
    }

    /** Reads a state from bytes made by {@link #encode}. */
    static ReplicaState decode(byte[] bytes) {
        SafeTensors.Contents c = SafeTensorBytes.decode(bytes);
        return fromContents(c.tensors(), c.metadata());
    }

    /** Reads a state from tensors and metadata laid out as by {@link #tensors()} and {@link #metadata()}. */
    static ReplicaState fromContents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optTensors = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (k.startsWith(MODEL)) {
                model.put(k.substring(MODEL.length()), v);
            } else if (k.startsWith(OPTIM)) {
                optTensors.put(k.substring(OPTIM.length()), v);
            }
        });
        Map<String, Double> scalars = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(OPTIM)) {
                scalars.put(k.substring(OPTIM.length()), Double.parseDouble(v));
            }
        });
        return new ReplicaState(model, new OptimizerState(optTensors, scalars),
                Integer.parseInt(metadata.getOrDefault("replicas", "1")), Double.parseDouble(metadata.getOrDefault("loss", "0")));
    }

    /**
     * Returns the element-wise sum of two encoded states (their counts and losses added too), encoded.
     *
     * @throws IllegalStateException if they hold different tensors or shapes
     */
    static byte[] sum(byte[] a, byte[] b) {
        ReplicaState x = decode(a);
        ReplicaState y = decode(b);
        Map<String, Double> scalars = new LinkedHashMap<>(x.optimizer.scalars());
        y.optimizer.scalars().forEach((k, v) -> scalars.merge(k, v, Double::sum));
        return new ReplicaState(add(x.model, y.model), new OptimizerState(add(x.optimizer.tensors(), y.optimizer.tensors()),
                scalars), x.replicas + y.replicas, x.loss + y.loss).encode();
    }

    /**
     * Returns the average of the summed state: tensors and per-parameter scalars ({@code state.*})
     * divided by the count (INT32 tensors rounded down), group hyperparameters taken from {@code
     * groups} (the state the round started from: replicas do not change them), the mean loss.
     */
    ReplicaState average(OptimizerState groups) {
        Map<String, Double> scalars = new LinkedHashMap<>();
        groups.scalars().forEach((k, v) -> {
            if (!k.startsWith("state.")) {
                scalars.put(k, v);
            }
        });
        optimizer.scalars().forEach((k, v) -> {
            if (k.startsWith("state.")) {
                scalars.put(k, v / replicas);
            }
        });
        return new ReplicaState(divide(model, replicas), new OptimizerState(divide(optimizer.tensors(), replicas), scalars),
                1, loss / replicas);
    }

    private static Map<String, Tensor> add(Map<String, Tensor> a, Map<String, Tensor> b) {
        if (!a.keySet().equals(b.keySet())) {
            throw new IllegalStateException("data-parallel: replicas returned different tensors: " + a.keySet() + " and "
                    + b.keySet());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        a.forEach((k, x) -> {
            Tensor y = b.get(k);
            if (!java.util.Arrays.equals(x.shape(), y.shape()) || x.dtype() != y.dtype()) {
                throw new IllegalStateException("data-parallel: replicas returned '" + k + "' as " + x.dtype()
                        + java.util.Arrays.toString(x.shape()) + " and " + y.dtype() + java.util.Arrays.toString(y.shape()));
            }
            if (x.dtype() == DType.INT32) {
                int[] u = x.toIntArray();
                int[] v = y.toIntArray();
                for (int i = 0; i < u.length; i++) {
                    u[i] += v[i];
                }
                out.put(k, Tensor.ofInts(u, x.shape()));
            } else {
                float[] u = x.toFloatArray();
                float[] v = y.toFloatArray();
                for (int i = 0; i < u.length; i++) {
                    u[i] += v[i];
                }
                out.put(k, Tensor.of(u, x.shape()));
            }
        });
        return out;
    }

    private static Map<String, Tensor> divide(Map<String, Tensor> a, int count) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        a.forEach((k, x) -> {
            if (x.dtype() == DType.INT32) {
                int[] u = x.toIntArray();
                for (int i = 0; i < u.length; i++) {
                    u[i] = Math.floorDiv(u[i], count);
                }
                out.put(k, Tensor.ofInts(u, x.shape()));
            } else {
                float[] u = x.toFloatArray();
                for (int i = 0; i < u.length; i++) {
                    u[i] /= count;
                }
                out.put(k, Tensor.of(u, x.shape()));
            }
        });
        return out;
    }
}
