package dev.tessera.nn.optim;

import dev.tessera.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RMSprop, exactly as PyTorch's {@code torch.optim.RMSprop}. Per parameter with gradient {@code g}:
 *
 * <pre>
 * g = g + weight_decay * p                          (if weight_decay != 0)
 * v = alpha * v + (1 - alpha) * g^2
 * a = alpha * a + (1 - alpha) * g;  avg = sqrt(v - a^2) + eps     (if centered)
 * avg = sqrt(v) + eps                                            (otherwise)
 * b = momentum * b + g / avg;  p = p - lr * b                    (if momentum > 0)
 * p = p - lr * g / avg                                           (otherwise)
 * </pre>
 *
 * <p>Hyper-parameters (per {@link ParamGroup}): {@code lr} (0.01), {@code alpha} (0.99), {@code eps}
 * (1e-8), {@code weight_decay} (0), {@code momentum} (0), {@code centered} (false). State per
 * parameter: {@code "square_avg"}, {@code "grad_avg"} (centered), {@code "momentum_buffer"}
 * (momentum) and the scalar {@code "step"}.
 */
public final class RMSprop extends Optimizer {
    /** Smoothing constant of the squared-gradient average. */
    public static final String ALPHA = "alpha";
    /** Added to the denominator. */
    public static final String EPS = "eps";
    /** Momentum factor. */
    public static final String MOMENTUM = "momentum";
    /** Flag: normalise by the estimated variance instead of the second moment. */
    public static final String CENTERED = "centered";

    /** The defaults for every group: a fluent holder of RMSprop's hyper-parameters. */
    public static final class Options {
        private float lr = 1e-2f;
        private float alpha = 0.99f;
        private float eps = 1e-8f;
        private float weightDecay;
        private float momentum;
        private boolean centered;

        /** Creates PyTorch's defaults: lr 0.01, alpha 0.99, eps 1e-8, no weight decay, no momentum, not centered. */
        public Options() {
        }

        /** Sets the learning rate; returns this. */
        public Options lr(float lr) {
            this.lr = lr;
            return this;
        }

        /** Sets the smoothing constant; returns this. */
        public Options alpha(float alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Sets the denominator's epsilon; returns this. */
        public Options eps(float eps) {
            this.eps = eps;
            return this;
        }

        /** Sets the L2 weight decay; returns this. */
        public Options weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Sets the momentum factor; returns this. */
        public Options momentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Enables or disables the centered variant; returns this. */
        public Options centered(boolean centered) {
            this.centered = centered;
            return this;
        }

        Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(ParamGroup.LR, (double) lr);
            m.put(ALPHA, (double) alpha);
            m.put(EPS, (double) eps);
            m.put(ParamGroup.WEIGHT_DECAY, (double) weightDecay);
            m.put(MOMENTUM, (double) momentum);
            m.put(CENTERED, centered ? 1.0 : 0.0);
            return m;
        }
    }

    /** Creates RMSprop over {@code params} with learning rate {@code lr} and the other defaults. */
    public RMSprop(List<Tensor> params, float lr) {
        this(singleGroup(params), new Options().lr(lr));
    }

    /**
     * Creates RMSprop with every option.
     *
     * @throws IllegalArgumentException if lr, alpha, eps, weight decay or momentum is negative
     */
    public RMSprop(List<Tensor> params, float lr, float alpha, float eps, float weightDecay, float momentum,
            boolean centered) {
        this(singleGroup(params), new Options().lr(lr).alpha(alpha).eps(eps).weightDecay(weightDecay).momentum(momentum)
                .centered(centered));
    }

    /**
     * Creates RMSprop over parameter groups; hyper-parameters a group does not set come from {@code
     * defaults}. The groups are modified (filled in) and owned by this optimizer.
     */
    public RMSprop(List<ParamGroup> groups, Options defaults) {
        super("RMSprop", groups, defaults.toMap());
    }

    @Override
    protected void validate(ParamGroup g, String where) {
        require(g, EPS, v -> v >= 0, ">= 0", where);
        require(g, ALPHA, v -> v >= 0, ">= 0", where);
        require(g, MOMENTUM, v -> v >= 0, ">= 0", where);
        require(g, ParamGroup.WEIGHT_DECAY, v -> v >= 0, ">= 0", where);
    }

    /** The update keeps no reference to the gradient: returns false. */
    @Override
    protected boolean retainsGradients() {
        return false;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, ParamState state) {
        float lr = g.lr();
        float alpha = (float) g.get(ALPHA);
        float eps = (float) g.get(EPS);
        float momentum = (float) g.get(MOMENTUM);
        float weightDecay = g.weightDecay();
        state.putScalar("step", state.scalar("step", 0) + 1);

        Tensor d = grad;
        if (weightDecay != 0f) {
            d = d.add(p.mul(weightDecay));
        }
        Tensor v = state.bufferOrZeros("square_avg", p);
        v.mulInPlace(alpha).addInPlace(d.square(), 1f - alpha);
        Tensor avg;
        if (g.flag(CENTERED)) {
            Tensor a = state.bufferOrZeros("grad_avg", p);
            a.mulInPlace(alpha).addInPlace(d, 1f - alpha);
            avg = v.sub(a.square()).sqrt().add(eps);
        } else {
            avg = v.sqrt().add(eps);
        }
        if (momentum > 0f) {
            Tensor b = state.bufferOrZeros("momentum_buffer", p);
            b.mulInPlace(momentum).addInPlace(d.div(avg));
            p.addInPlace(b, -lr);
        } else {
            p.addInPlace(d.div(avg), -lr);
        }
    }
}
