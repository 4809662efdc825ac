package dev.tessera.nn.optim;

import dev.tessera.DType;
import dev.tessera.GradMode;
import dev.tessera.Shape;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Writes an optimizer's groups and state into an {@link OptimizerState} and reads them back, checking every key. */
final class StateDicts {
    private StateDicts() {
    }

    /** What {@link #parse} read: each group's saved hyper-parameters, and the per-parameter state (copied). */
    record Loaded(List<Map<String, Double>> hyper, Map<Tensor, ParamState> state) {
    }

    /** Copies the groups' hyper-parameters and the state's buffers and scalars into the keyed form. */
    static OptimizerState save(List<ParamGroup> groups, Map<Tensor, ParamState> state) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, Double> scalars = new LinkedHashMap<>();
        int index = 0;
        try (GradMode ignored = Tensor.noGrad()) {
            for (int gi = 0; gi < groups.size(); gi++) {
                ParamGroup g = groups.get(gi);
                scalars.put("group." + gi + ".num_params", (double) g.params().size());
                for (Map.Entry<String, Double> h : g.hyperParameters().entrySet()) {
                    scalars.put("group." + gi + "." + h.getKey(), h.getValue());
                }
                for (Tensor p : g.params()) {
                    ParamState s = state.get(p);
                    if (s != null) {
                        for (Map.Entry<String, Tensor> b : s.buffers().entrySet()) {
                            tensors.put("state." + index + "." + b.getKey(), b.getValue().zerosLike().copyFrom(b.getValue()));
                        }
                        for (Map.Entry<String, Double> sc : s.scalars().entrySet()) {
                            scalars.put("state." + index + "." + sc.getKey(), sc.getValue());
                        }
                    }
                    index++;
                }
            }
        }
        return new OptimizerState(tensors, scalars);
    }

    /**
     * Reads {@code saved} against {@code opt}'s groups and parameters; modifies nothing. Buffers are
     * copied onto their parameter's device.
     *
     * @throws IllegalArgumentException for a key of the wrong form, an index out of range, a group size or buffer shape
     *                                  that differs from this optimizer's
     */
    static Loaded parse(Optimizer opt, OptimizerState saved) {
        String name = opt.name();
        List<ParamGroup> groups = opt.paramGroups();
        List<Tensor> params = opt.parameters();
        List<Map<String, Double>> hyper = new ArrayList<>();
        for (int gi = 0; gi < groups.size(); gi++) {
            hyper.add(new LinkedHashMap<>());
        }
        Map<Tensor, ParamState> loaded = new IdentityHashMap<>();
        Set<Integer> sized = new LinkedHashSet<>();
        for (Map.Entry<String, Double> e : saved.scalars().entrySet()) {
            String[] parts = split(name, e.getKey());
            Double value = Objects.requireNonNull(e.getValue(), name + ": scalar '" + e.getKey() + "' is null");
            if (parts[0].equals("group")) {
                int gi = parseIndex(name, e.getKey(), parts[1], groups.size(), "param group");
                if (parts[2].equals("num_params")) {
                    int n = groups.get(gi).params().size();
                    if (value != n) {
                        throw new IllegalArgumentException(name + ": param group " + gi + " has " + value.intValue()
                                + " parameters in the saved state but " + n + " here");
                    }
                    sized.add(gi);
                } else {
                    hyper.get(gi).put(parts[2], value);
                }
            } else {
                Tensor p = params.get(parseIndex(name, e.getKey(), parts[1], params.size(), "parameter"));
                loaded.computeIfAbsent(p, k -> new ParamState()).putScalar(parts[2], value);
            }
        }
        if (sized.size() != groups.size()) {
            throw new IllegalArgumentException(name + ": the saved state describes " + sized.size()
                    + " param groups (group.<g>.num_params keys), this optimizer has " + groups.size());
        }
        try (GradMode ignored = Tensor.noGrad()) {
            for (Map.Entry<String, Tensor> e : saved.tensors().entrySet()) {
                String[] parts = split(name, e.getKey());
                if (!parts[0].equals("state")) {
                    throw new IllegalArgumentException(name + ": unexpected tensor key '" + e.getKey() + "' (expected state.<p>.<name>)");
                }
                int pi = parseIndex(name, e.getKey(), parts[1], params.size(), "parameter");
                Tensor p = params.get(pi);
                Tensor t = Objects.requireNonNull(e.getValue(), name + ": tensor '" + e.getKey() + "' is null");
                if (!Arrays.equals(t.shape(), p.shape()) || t.dtype() != DType.FLOAT32) {
                    throw new IllegalArgumentException(name + ": saved buffer '" + e.getKey() + "' is " + t.dtype() + " "
                            + Shape.str(t.shape()) + " but parameter " + pi + " is FLOAT32 " + Shape.str(p.shape()));
                }
                loaded.computeIfAbsent(p, k -> new ParamState()).putBuffer(parts[2], p.zerosLike().copyFrom(t.to(p.device())));
            }
        }
        return new Loaded(hyper, loaded);
    }

    private static String[] split(String name, String key) {
        String[] parts = key == null ? new String[0] : key.split("\\.", 3);
        if (parts.length != 3 || !(parts[0].equals("group") || parts[0].equals("state"))) {
            throw new IllegalArgumentException(name + ": unexpected state key '" + key
                    + "' (expected group.<g>.<name> or state.<p>.<name>)");
        }
        return parts;
    }

    private static int parseIndex(String name, String key, String text, int bound, String what) {
        int i;
        try {
            i = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": state key '" + key + "' has no " + what + " number");
        }
        if (i < 0 || i >= bound) {
            throw new IllegalArgumentException(name + ": state key '" + key + "' names " + what + " " + i
                    + " but this optimizer has " + bound);
        }
        return i;
    }
}
