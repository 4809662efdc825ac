package dev.tessera.nn;

import dev.tessera.GradMode;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The checks and copies behind {@link Module#loadStateDict(Map, boolean)}. */
final class StateDictLoader {
    private StateDictLoader() {
    }

    /**
     * Validates {@code state} against the module's tensors {@code own} (by key), then copies every
     * value present into the matching tensor under no-grad; modifies only the tensors of {@code own}.
     *
     * @param owner the module's type name, for the error message
     * @return the missing and unexpected keys
     * @throws IllegalArgumentException naming every missing and unexpected key (when {@code strict})
     *                                  and every key whose shapes differ (always), before copying anything
     */
    static LoadResult load(String owner, Map<String, Tensor> own, Map<String, Tensor> state, boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            if (!state.containsKey(e.getKey())) {
                missing.add(e.getKey());
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
            StringBuilder msg = new StringBuilder(owner).append(".loadStateDict: error(s) loading the state dict");
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
        }
        return new LoadResult(missing, unexpected);
    }
}
