package dev.tessera.nn.transfer;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.nn.train.Callback;
import dev.tessera.nn.train.Trainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gradual unfreezing (ULMFiT): a {@link Callback} that starts with only the head trainable and
 * unfreezes one more block, from the top down, every {@code k} epochs, adding the block's
 * parameters to the trainer's optimizer as a new {@link ParamGroup} with its own learning rate.
 *
 * <pre>{@code
 * FineTuning.trainOnlyTop(model, 1);                          // only fc trainable
 * Optimizer opt = new Adam(FineTuning.trainableParameters(model), 1e-3f);
 * GradualUnfreezing gu = GradualUnfreezing.builder(model).every(2).lr(1e-4f).lrDecay(0.5f).build();
 * Trainer.builder(model, opt, F::crossEntropy).epochs(8).callbacks(gu, new FrozenBatchNormEval(model)).build()...
 * // epoch 2: layer4 (lr 1e-4), epoch 4: layer3 (lr 5e-5), epoch 6: layer2 (lr 2.5e-5)
 * }</pre>
 *
 * <p>Block {@code i} (0 = the first unfrozen) is unfrozen at the start of epoch {@code (i + 1) *
 * every}. Groups added after an LR scheduler was created are not scheduled. The number of blocks
 * unfrozen is saved in checkpoints; a resumed {@link Trainer} run unfreezes them again and re-adds
 * their parameter groups before the optimizer's state is restored. Not thread-safe.
 */
public final class GradualUnfreezing implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(GradualUnfreezing.class);

    private final Module model;
    private final List<String> blocks;
    private final int every;
    private final Float lr;
    private final float lrDecay;
    private final Map<String, Integer> unfrozenAt = new LinkedHashMap<>();

    private GradualUnfreezing(Builder b) {
        this.model = b.model;
        this.blocks = List.copyOf(b.blocks != null ? b.blocks : defaultBlocks(b.model));
        this.every = b.every;
        this.lr = b.lr;
        this.lrDecay = b.lrDecay;
        for (String block : blocks) {
            model.get(block);
        }
    }

    /** The model's {@link FineTuning#blocks} holding a frozen parameter, last first. */
    private static List<String> defaultBlocks(Module model) {
        List<String> out = new ArrayList<>();
        for (String b : FineTuning.blocks(model)) {
            if (model.get(b).parameters().stream().anyMatch(p -> !p.requiresGrad())) {
                out.add(0, b);
            }
        }
        return out;
    }

    /** Starts configuring gradual unfreezing of {@code model} (the trainer's model). */
    public static Builder builder(Module model) {
        return new Builder(model);
    }

    /** Returns the blocks in the order they are unfrozen. */
    public List<String> blocks() {
        return blocks;
    }

    /** Returns the blocks unfrozen so far with the epoch each was unfrozen at (a copy, in order). */
    public Map<String, Integer> unfrozenAt() {
        return new LinkedHashMap<>(unfrozenAt);
    }

    /**
     * Unfreezes the blocks due by {@code epoch} that are not unfrozen yet; modifies their
     * parameters' {@code requiresGrad} and adds one group per block to the trainer's optimizer.
     */
    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        int due = Math.min(blocks.size(), epoch / every);
        while (unfrozenAt.size() < due) {
            unfreezeNext(trainer.optimizer(), epoch);
        }
    }

    private void unfreezeNext(Optimizer optimizer, int epoch) {
        int index = unfrozenAt.size();
        String block = blocks.get(index);
        Set<Tensor> present = Collections.newSetFromMap(new IdentityHashMap<>());
        present.addAll(optimizer.parameters());
        List<Tensor> added = new ArrayList<>();
        for (Tensor p : model.get(block).parameters()) {
            p.requiresGrad(true);
            if (present.add(p)) {
                added.add(p);
            }
        }
        float base = lr != null ? lr : optimizer.lr(0);
        float groupLr = (float) (base * Math.pow(lrDecay, index));
        if (!added.isEmpty()) {
            optimizer.addParamGroup(new ParamGroup(added, groupLr));
        }
        unfrozenAt.put(block, epoch);
        LOG.debug("Epoch {}: unfroze {} ({} new parameters, lr {})", epoch + 1, block, added.size(), groupLr);
    }

    /** Returns the number of blocks unfrozen so far, as {@code "unfrozen"}. */
    @Override
    public Map<String, Double> stateDict() {
        return Map.of("unfrozen", (double) unfrozenAt.size());
    }

    /**
     * Records that the first {@code state.get("unfrozen")} blocks are unfrozen (and unfreezes their
     * parameters; the optimizer is not changed); modifies this callback and the model.
     */
    @Override
    public void loadStateDict(Map<String, Double> state) {
        Double n = state.get("unfrozen");
        if (n == null) {
            return;
        }
        unfrozenAt.clear();
        for (int i = 0; i < Math.min(blocks.size(), n.intValue()); i++) {
            model.get(blocks.get(i)).unfreeze();
            unfrozenAt.put(blocks.get(i), -1);
        }
    }

    /** Unfreezes the blocks a checkpoint recorded and adds their groups to the trainer's optimizer again. */
    @Override
    public void onRestore(Trainer trainer, Map<String, Double> state) {
        Double n = state.get("unfrozen");
        if (n == null) {
            return;
        }
        unfrozenAt.clear();
        for (int i = 0; i < Math.min(blocks.size(), n.intValue()); i++) {
            unfreezeNext(trainer.optimizer(), -1);
        }
    }

    /** Configures {@link GradualUnfreezing}; every setter returns this builder. */
    public static final class Builder {
        private final Module model;
        private List<String> blocks;
        private int every = 1;
        private Float lr;
        private float lrDecay = 1f;

        private Builder(Module model) {
            if (model == null) {
                throw new IllegalArgumentException("GradualUnfreezing: model must not be null");
            }
            this.model = model;
        }

        /**
         * Sets the submodules to unfreeze, in order (top first); default: the model's {@link
         * FineTuning#blocks} that hold a frozen parameter when {@link #build()} runs, last first.
         */
        public Builder blocks(String... paths) {
            this.blocks = List.of(paths);
            return this;
        }

        /**
         * Unfreezes one block every {@code epochs} epochs (default 1).
         *
         * @throws IllegalArgumentException if {@code epochs} is below 1
         */
        public Builder every(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("GradualUnfreezing: every must be >= 1 epoch, got " + epochs);
            }
            this.every = epochs;
            return this;
        }

        /**
         * Sets the learning rate of the first unfrozen block's group (default: the optimizer's
         * group-0 learning rate at that time).
         *
         * @throws IllegalArgumentException if {@code value} is negative or NaN
         */
        public Builder lr(float value) {
            if (!(value >= 0)) {
                throw new IllegalArgumentException("GradualUnfreezing: lr must be >= 0, got " + value);
            }
            this.lr = value;
            return this;
        }

        /**
         * Multiplies the learning rate by {@code factor} for each further block (default 1).
         *
         * @throws IllegalArgumentException if {@code factor} is not in (0, 1]
         */
        public Builder lrDecay(float factor) {
            if (!(factor > 0 && factor <= 1)) {
                throw new IllegalArgumentException("GradualUnfreezing: lrDecay must be in (0, 1], got " + factor);
            }
            this.lrDecay = factor;
            return this;
        }

        /**
         * Returns the callback.
         *
         * @throws IllegalArgumentException if a block path names no submodule
         */
        public GradualUnfreezing build() {
            return new GradualUnfreezing(this);
        }
    }
}
