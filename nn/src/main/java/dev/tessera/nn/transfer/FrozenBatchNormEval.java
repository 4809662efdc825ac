package dev.tessera.nn.transfer;

import dev.tessera.Tensor;
import dev.tessera.nn.BatchNorm;
import dev.tessera.nn.Module;
import dev.tessera.nn.train.Callback;
import dev.tessera.nn.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps the frozen BatchNorm layers of a model in eval mode while the rest trains: a {@link
 * Callback} that, at the start of every epoch (after the {@link Trainer} has put the whole model in
 * training mode), puts each frozen {@link BatchNorm} back in eval mode, so that it normalises with
 * its pretrained running statistics and does not update them. Without it, a frozen BatchNorm's
 * weight and bias stay fixed but its running mean and variance drift to the new data's batch
 * statistics, which usually hurts fine-tuning on small datasets.
 *
 * <p>A BatchNorm counts as frozen when it has affine parameters and none of them requires a
 * gradient (a BatchNorm without affine parameters is left alone). The check runs at every epoch,
 * so a layer unfrozen by {@link GradualUnfreezing} (added before this callback) trains normally
 * from that epoch on.
 *
 * <pre>{@code
 * Trainer.builder(model, opt, F::crossEntropy).callbacks(new FrozenBatchNormEval(model)).build();
 * }</pre>
 */
public final class FrozenBatchNormEval implements Callback {
    private final Module model;

    /** Creates the callback for {@code model} (the trainer's model, or a part of it). */
    public FrozenBatchNormEval(Module model) {
        if (model == null) {
            throw new IllegalArgumentException("FrozenBatchNormEval: model must not be null");
        }
        this.model = model;
    }

    /**
     * Puts every frozen BatchNorm of {@code model} in eval mode (and its submodules, if any); modifies
     * their mode only, and returns their dotted names. Call it after {@link Module#train()}.
     */
    public static List<String> apply(Module model) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            if (e.getValue() instanceof BatchNorm bn && isFrozen(bn)) {
                bn.eval();
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** Returns true when {@code bn} has affine parameters and none requires a gradient. */
    public static boolean isFrozen(BatchNorm bn) {
        List<Tensor> params = bn.parameters();
        return !params.isEmpty() && params.stream().noneMatch(Tensor::requiresGrad);
    }

    /** Re-applies eval mode to the frozen BatchNorm layers; modifies their mode. */
    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        apply(model);
    }
}
