package dev.tessera.nn.optim;

import dev.tessera.Tensor;
import java.util.List;

/**
 * Adam with decoupled weight decay, exactly as PyTorch's {@code torch.optim.AdamW}: each step first
 * shrinks the parameter, {@code p = p * (1 - lr * weight_decay)}, then applies the {@link Adam}
 * update to the unmodified gradient. The default weight decay is 0.01 (PyTorch's); other
 * hyper-parameters, their defaults and the state are Adam's.
 */
public final class AdamW extends Adam {
    /** PyTorch's default weight decay for AdamW. */
    public static final float DEFAULT_WEIGHT_DECAY = 0.01f;

    /** Returns Adam's defaults with AdamW's weight decay 0.01, for the group constructor. */
    public static Adam.Options options() {
        return new Adam.Options().weightDecay(DEFAULT_WEIGHT_DECAY);
    }

    /** Creates AdamW over {@code params} with learning rate {@code lr}, weight decay 0.01 and Adam's other defaults. */
    public AdamW(List<Tensor> params, float lr) {
        this(params, lr, DEFAULT_WEIGHT_DECAY);
    }

    /** Creates AdamW over {@code params} with learning rate {@code lr} and decoupled weight decay {@code weightDecay}. */
    public AdamW(List<Tensor> params, float lr, float weightDecay) {
        this(singleGroup(params), options().lr(lr).weightDecay(weightDecay));
    }

    /**
     * Creates AdamW with every option.
     *
     * @throws IllegalArgumentException if lr, eps or weight decay is negative, or a beta is outside [0, 1)
     */
    public AdamW(List<Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay, boolean amsgrad) {
        this(singleGroup(params), options().lr(lr).betas(beta1, beta2).eps(eps).weightDecay(weightDecay).amsgrad(amsgrad));
    }

    /**
     * Creates AdamW over parameter groups; hyper-parameters a group does not set come from {@code
     * defaults} (start from {@link #options()} for the 0.01 weight decay). The groups are modified
     * (filled in) and owned by this optimizer.
     */
    public AdamW(List<ParamGroup> groups, Adam.Options defaults) {
        super("AdamW", groups, defaults, true);
    }
}
