package dev.tessera.nn;

import dev.tessera.GradMode;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks and copies behind {@link Module#loadStateDict(Map, boolean)}. */
final class StateDictLoader {
    private StateDictLoader() {
    }

    /**
     * Validates {@code state} against the module's tensors {@code own} (by key), then copies every
     * value present into the matching tensor under no-grad; modifies only the tensors of {@code own}.
     *
     * <p>A key of {@code defaultable} (the {@code num_batches_tracked} counters of batch norms)
     * that {@code state} lacks is not missing: as PyTorch 1.13's {@code _NormBase} does for a state
     * dict without version metadata (which is what a safetensors export is), the counter is set to 0.
     *
     * @param owner the module's type name, for the error message
     * @return the missing and unexpected keys
     * @throws IllegalArgumentException naming the first offending key (with both shapes for a size
     *                                  mismatch), then every missing and unexpected key (when {@code strict})
     *                                  and every key whose shapes differ (always), before copying anything
     */
    static LoadResult load(String owner, Map<String, Tensor> own, Map<String, Tensor> state, boolean strict,
            Set<String> defaultable) {
        List<String> missing = new ArrayList<>();
        List<String> defaulted = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            if (!state.containsKey(e.getKey())) {
                (defaultable.contains(e.getKey()) ? defaulted : missing).add(e.getKey());
                continue;
            }
            Tensor src = state.get(e.getKey());
            if (src == null) {
                mismatched.add(e.getKey() + ": value is null, model shape " + Shape.str(e.getValue().shape()));
            } else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint shape " + Shape.str(src.shape()) + ", model shape "
                        + Shape.str(e.getValue().shape()));
            }
        }
        for (String k : state.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        boolean keyError = strict && !(missing.isEmpty() && unexpected.isEmpty());
        if (keyError || !mismatched.isEmpty()) {
            StringBuilder msg = new StringBuilder(owner).append(".loadStateDict: error(s) loading the state dict, first ");
            if (!mismatched.isEmpty()) {
                msg.append("size mismatch for ").append(mismatched.get(0));
            } else if (!missing.isEmpty()) {
                msg.append("missing key '").append(missing.get(0)).append("' (model shape ")
                        .append(Shape.str(own.get(missing.get(0)).shape())).append(", not in the state dict)");
            } else {
                msg.append("unexpected key '").append(unexpected.get(0)).append("' (shape ")
                        .append(Shape.str(state.get(unexpected.get(0)) == null ? new int[0]
                                : state.get(unexpected.get(0)).shape()))
                        .append(", not in the model)");
            }
            if (strict && !missing.isEmpty()) {
                msg.append("; missing keys ").append(missing);
            }
            if (strict && !unexpected.isEmpty()) {
                msg.append("; unexpected keys ").append(unexpected);
            }
            if (!mismatched.isEmpty()) {
                msg.append("; size mismatch for ").append(String.join(", ", mismatched));
            }
            throw new IllegalArgumentException(msg.toString());
        }
        try (GradMode ignored = Tensor.noGrad()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) {
                    Tensor target = e.getValue();
                    target.copyFrom(src.detach().to(target.device()));
                }
            }
            for (String k : defaulted) {
                own.get(k).fill(0f);
            }
        }
        return new LoadResult(missing, unexpected);
    }
}
