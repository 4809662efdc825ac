package dev.tessera.spark;

import dev.tessera.Tensor;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.io.SafeTensors;
import dev.tessera.nn.selection.Fold;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.broadcast.Broadcast;

/**
 * A dataset (all its examples, gathered once) and optionally the folds of a split, packed as
 * safetensors bytes for a Spark broadcast: tensors {@code features}, {@code targets} and {@code
 * fold.<i>.train} / {@code fold.<i>.test} (INT32 indices). Executors unpack it once per broadcast
 * and keep it in {@link ExecutorCache}. Immutable.
 *
 * @param data  the examples, in the original dataset's order
 * @param folds the folds, in the splitter's order (empty when none were packed)
 */
record SharedData(TensorDataset data, List<Fold> folds) {

    /**
     * Returns {@code dataset}'s examples (read with one {@link Dataset#get} of every index; not
     * modified) and {@code folds} as safetensors bytes.
     *
     * @throws IllegalArgumentException if the dataset is empty
     */
    static byte[] pack(Dataset dataset, List<Fold> folds) {
        if (dataset.size() == 0) {
            throw new IllegalArgumentException("SparkExecutor: the dataset is empty");
        }
        int[] all = new int[dataset.size()];
        Arrays.setAll(all, i -> i);
        Batch b = dataset.get(all);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("features", b.features());
        tensors.put("targets", b.targets());
        for (int i = 0; i < folds.size(); i++) {
            Fold f = folds.get(i);
            tensors.put("fold." + i + ".train", Tensor.ofInts(f.train(), f.train().length));
            tensors.put("fold." + i + ".test", Tensor.ofInts(f.test(), f.test().length));
        }
        return SafeTensorBytes.encode(tensors, Map.of("folds", Integer.toString(folds.size())));
    }

    /** Unpacks bytes made by {@link #pack}. */
    static SharedData unpack(byte[] bytes) {
        SafeTensors.Contents c = SafeTensorBytes.decode(bytes);
        Map<String, Tensor> t = c.tensors();
        int count = Integer.parseInt(c.metadata().getOrDefault("folds", "0"));
        List<Fold> folds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            folds.add(new Fold(t.get("fold." + i + ".train").toIntArray(), t.get("fold." + i + ".test").toIntArray()));
        }
        return new SharedData(new TensorDataset(t.get("features"), t.get("targets")), List.copyOf(folds));
    }

    /**
     * Returns the unpacked content of {@code broadcast}, unpacking it only once per executor;
     * {@code key} names it uniquely (broadcast ids restart with each Spark context).
     */
    static SharedData of(String key, Broadcast<byte[]> broadcast) {
        return ExecutorCache.get(key, () -> unpack(broadcast.value()));
    }
}
