package dev.tessera.nn.optim;

import dev.tessera.Fused;
import dev.tessera.Tensor;
import dev.tessera.spi.SgdSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight
 * decay, exactly as PyTorch's {@code torch.optim.SGD}. Per parameter with gradient {@code g}:
 *
 * <pre>
 * g = g + weight_decay * p                         (if weight_decay != 0)
 * b = g                                            (first step, if momentum != 0)
 * b = momentum * b + (1 - dampening) * g           (later steps)
 * g = nesterov ? g + momentum * b : b              (if momentum != 0)
 * p = p - lr * g
 * </pre>
 *
 * <p>Hyper-parameters (per {@link ParamGroup}): {@code lr}, {@code momentum} (0), {@code dampening}
 * (0), {@code weight_decay} (0), {@code nesterov} (false; needs momentum &gt; 0 and dampening 0).
 * State per parameter: {@code "momentum_buffer"}.
 */
public final class SGD extends Optimizer {
    /** Hyper-parameter names. */
    public static final String MOMENTUM = "momentum";
    /** Dampening of the gradient added to the momentum buffer. */
    public static final String DAMPENING = "dampening";
    /** Flag: Nesterov momentum. */
    public static final String NESTEROV = "nesterov";

    /** The defaults for every group: a fluent holder of SGD's hyper-parameters. */
    public static final class Options {
        private float lr = 1e-3f;
        private float momentum;
        private float dampening;
        private float weightDecay;
        private boolean nesterov;

        /** Creates PyTorch's defaults: lr 0.001, no momentum, no dampening, no weight decay, no Nesterov. */
        public Options() {
        }

        /** Sets the learning rate; returns this. */
        public Options lr(float lr) {
            this.lr = lr;
            return this;
        }

        /** Sets the momentum factor; returns this. */
        public Options momentum(float momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Sets the dampening; returns this. */
        public Options dampening(float dampening) {
            this.dampening = dampening;
            return this;
        }

        /** Sets the L2 weight decay; returns this. */
        public Options weightDecay(float weightDecay) {
            this.weightDecay = weightDecay;
            return this;
        }

        /** Enables or disables Nesterov momentum; returns this. */
        public Options nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(ParamGroup.LR, (double) lr);
            m.put(MOMENTUM, (double) momentum);
            m.put(DAMPENING, (double) dampening);
            m.put(ParamGroup.WEIGHT_DECAY, (double) weightDecay);
            m.put(NESTEROV, nesterov ? 1.0 : 0.0);
            return m;
        }
    }

    /** Creates plain SGD over {@code params} with learning rate {@code lr}. */
    public SGD(List<Tensor> params, float lr) {
        this(params, lr, 0f);
    }

    /** Creates SGD with momentum (no dampening, no weight decay, no Nesterov). */
    public SGD(List<Tensor> params, float lr, float momentum) {
        this(params, lr, momentum, 0f, 0f, false);
    }

    /**
     * Creates SGD with every option.
     *
     * @throws IllegalArgumentException for a negative lr, momentum or weight decay, or Nesterov without momentum or with dampening
     */
    public SGD(List<Tensor> params, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        this(singleGroup(params), new Options().lr(lr).momentum(momentum).dampening(dampening).weightDecay(weightDecay)
                .nesterov(nesterov));
    }

    /**
     * Creates SGD over parameter groups; hyper-parameters a group does not set come from {@code
     * defaults}. The groups are modified (filled in) and owned by this optimizer.
     */
    public SGD(List<ParamGroup> groups, Options defaults) {
        super("SGD", groups, defaults.toMap());
    }

    @Override
    protected void validate(ParamGroup g, String where) {
        double momentum = require(g, MOMENTUM, v -> v >= 0, ">= 0", where);
        double dampening = g.get(DAMPENING);
        require(g, ParamGroup.WEIGHT_DECAY, v -> v >= 0, ">= 0", where);
        if (g.flag(NESTEROV) && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: nesterov needs momentum > 0 and dampening 0, got momentum "
                    + format(momentum) + " and dampening " + format(dampening) + where);
        }
    }

    /** The update keeps no reference to the gradient: returns false. */
    @Override
    protected boolean retainsGradients() {
        return false;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, Tensor grad, ParamState state) {
        float momentum = (float) g.get(MOMENTUM);
        Tensor buf = null;
        boolean first = false;
        if (momentum != 0f) {
            buf = state.buffer("momentum_buffer");
            if (buf == null) {
                buf = p.zerosLike();
                state.putBuffer("momentum_buffer", buf);
                first = true;
            }
        }
        // One fused pass where the backend has the kernel; the same bits as the formulas above.
        Fused.sgdUpdate(p, grad, buf, new SgdSpec(g.lr(), momentum, (float) g.get(DAMPENING), g.weightDecay(),
                g.flag(NESTEROV), first));
    }
}
