package dev.tessera.nn.optim;

import dev.tessera.Fused;
import dev.tessera.Tensor;
import dev.tessera.spi.AdamSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam, exactly as PyTorch's {@code torch.optim.Adam} (with its L2 weight decay added to the
 * gradient; {@link AdamW} decouples it). Per parameter with gradient {@code g}, at step {@code t = 1, 2, ...}:
 *
 * <pre>
 * g = g + weight_decay * p                               (if weight_decay != 0)
 * m = beta1 * m + (1 - beta1) * g
 * v = beta2 * v + (1 - beta2) * g^2
 * vmax = max(vmax, v); use vmax instead of v below        (if amsgrad)
 * p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * <p>Hyper-parameters (per {@link ParamGroup}): {@code lr} (0.001), {@code beta1} (0.9), {@code
 * beta2} (0.999), {@code eps} (1e-8), {@code weight_decay} (0), {@code amsgrad} (false). State per
 * parameter: {@code "exp_avg"}, {@code "exp_avg_sq"}, {@code "max_exp_avg_sq"} (amsgrad) and the
 * scalar {@code "step"}.
 */
public class Adam extends Optimizer {
    /** Decay of the first moment. */
    public static final String BETA1 = "beta1";
    /** Decay of the second moment. */
    public static final String BETA2 = "beta2";
    /** Added to the denominator. */
    public static final String EPS = "eps";
    /** Flag: AMSGrad (keeps the running maximum of the second moment). */
    public static final String AMSGRAD = "amsgrad";

    private final boolean decoupled;

    /** The defaults for every group: a fluent holder of Adam's (and AdamW's) hyper-parameters. */
    public static final class Options {
        private float lr = 1e-3f;
        private float beta1 = 0.9f;
        private float beta2 = 0.999f;
        private float eps = 1e-8f;
        private float weightDecay;
        private boolean amsgrad;

        /** Creates Adam's defaults: lr 0.001, betas (0.9, 0.999), eps 1e-8, no weight decay, no AMSGrad. */
        public Options() {
        }

        /** Sets the learning rate; returns this. */
        public Options lr(float lr) {
            this.lr = lr;
            return this;
        }

        /** Sets the moment decays; returns this. */
        public Options betas(float beta1, float beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Sets the denominator's epsilon; returns this. */
        public Options eps(float eps) {
            this.eps = eps;
            return this;
        }

        /** Sets the weight decay (L2 for Adam, decoupled for AdamW); returns this. */
        public Options weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Enables or disables AMSGrad; returns this. */
        public Options amsgrad(boolean amsgrad) {
            this.amsgrad = amsgrad;
            return this;
        }

        Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(ParamGroup.LR, (double) lr);
            m.put(BETA1, (double) beta1);
            m.put(BETA2, (double) beta2);
            m.put(EPS, (double) eps);
            m.put(ParamGroup.WEIGHT_DECAY, (double) weightDecay);
            m.put(AMSGRAD, amsgrad ? 1.0 : 0.0);
            return m;
        }
    }

    /** Creates Adam over {@code params} with learning rate {@code lr} and the other defaults. */
    public Adam(List<Tensor> params, float lr) {
        this(singleGroup(params), new Options().lr(lr));
    }

    /**
     * Creates Adam with every option.
     *
     * @throws IllegalArgumentException if lr, eps or weight decay is negative, or a beta is outside [0, 1)
     */
    public Adam(List<Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay, boolean amsgrad) {
        this(singleGroup(params), new Options().lr(lr).betas(beta1, beta2).eps(eps).weightDecay(weightDecay).amsgrad(amsgrad));
    }

    /**
     * Creates Adam over parameter groups; hyper-parameters a group does not set come from {@code
     * defaults}. The groups are modified (filled in) and owned by this optimizer.
     */
    public Adam(List<ParamGroup> groups, Options defaults) {
        this("Adam", groups, defaults, false);
    }

    /** For {@link AdamW}: {@code decoupled} applies the weight decay to the parameter instead of the gradient. */
    Adam(String name, List<ParamGroup> groups, Options defaults, boolean decoupled) {
        super(name, groups, defaults.toMap());
        this.decoupled = decoupled;
    }

    @Override
    protected void validate(ParamGroup g, String where) {
        require(g, EPS, v -> v >= 0, ">= 0", where);
        require(g, BETA1, v -> v >= 0 && v < 1, "in [0, 1)", where);
        require(g, BETA2, v -> v >= 0 && v < 1, "in [0, 1)", where);
        require(g, ParamGroup.WEIGHT_DECAY, v -> v >= 0, ">= 0", where);
    }

    /** The update keeps no reference to the gradient: returns false. A subclass whose {@code update} keeps gradients must return true. */
    @Override
    protected boolean retainsGradients() {
        return false;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, ParamState state) {
        float lr = g.lr();
        double beta1 = g.get(BETA1);
        double beta2 = g.get(BETA2);
        float eps = (float) g.get(EPS);
        float weightDecay = g.weightDecay();
        double step = state.scalar("step", 0) + 1;
        state.putScalar("step", step);

        Tensor m = state.bufferOrZeros("exp_avg", p);
        Tensor v = state.bufferOrZeros("exp_avg_sq", p);
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        if (!g.flag(AMSGRAD)) {
            // The same formulas as below, in one pass where the backend fuses them.
            Fused.adamUpdate(p, grad, m, v, new AdamSpec(lr, (float) beta1, (float) beta2, eps, weightDecay, decoupled,
                    (float) bias1, (float) bias2Sqrt));
            return;
        }
        Tensor d = grad;
        if (weightDecay != 0f) {
            if (decoupled) {
                p.mulInPlace(1f - lr * weightDecay);
            } else {
                d = d.add(p.mul(weightDecay));
            }
        }
        m.mulInPlace((float) beta1).addInPlace(d, (float) (1 - beta1));
        v.mulInPlace((float) beta2).addInPlace(d.square(), (float) (1 - beta2));
        // AMSGrad divides by the running maximum of the second moment.
        Tensor vmax = state.bufferOrZeros("max_exp_avg_sq", p);
        vmax.copyFrom(vmax.maximum(v));
        Tensor denom = vmax.sqrt().mul((float) (1 / bias2Sqrt)).add(eps);
        p.addInPlace(m.div(denom), (float) (-lr / bias1));
    }
}
