package dev.tessera.nn.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sets an optimizer's learning rates from a schedule, as PyTorch's {@code LRScheduler}: the learning
 * rate of group {@code i} at epoch {@code e} is {@link #lrAt(int, double) lrAt(e, base_i)}, where
 * {@code base_i} is the group's initial learning rate (its {@link ParamGroup#INITIAL_LR}, recorded
 * by the first scheduler attached to the optimizer, so chained and sequential schedulers share it).
 *
 * <p>The schedule starts at epoch 0 when the scheduler is created (which sets the epoch-0 learning
 * rates) and each {@link #step()} advances it by one: call it once per epoch or once per batch,
 * whichever unit the schedule's lengths are in, after {@code optimizer.step()}. The learning rates
 * are computed in closed form, so they do not drift, and {@link #stateDict()} / {@link
 * #loadStateDict(Map)} save and restore the position. Groups added to the optimizer after the
 * scheduler was created are not scheduled (as in PyTorch). Not thread-safe.
 *
 * <p>A subclass implements {@link #lrAt} and calls {@link #initialize()} at the end of its
 * constructor.
 */
public abstract class LrScheduler {
    /** The optimizer whose learning rates this scheduler sets. */
    protected final Optimizer optimizer;
    private final String name;
    private final double[] baseLrs;
    private final float[] lastLrs;
    private int lastEpoch;

    /**
     * Attaches a scheduler to {@code optimizer}; records each group's initial learning rate (setting
     * {@link ParamGroup#INITIAL_LR} where no earlier scheduler did, which modifies the groups).
     */
    protected LrScheduler(String name, Optimizer optimizer) {
        this.name = Objects.requireNonNull(name, "LrScheduler: name must not be null");
        this.optimizer = Objects.requireNonNull(optimizer, name + ": optimizer must not be null");
        this.baseLrs = initialLrs(optimizer);
        this.lastLrs = new float[baseLrs.length];
    }

    /** Returns each group's initial learning rate, recording the current one as initial where none is. */
    static double[] initialLrs(Optimizer optimizer) {
        List<ParamGroup> groups = optimizer.paramGroups();
        double[] base = new double[groups.size()];
        for (int i = 0; i < base.length; i++) {
            ParamGroup g = groups.get(i);
            if (!g.has(ParamGroup.INITIAL_LR)) {
                g.set(ParamGroup.INITIAL_LR, g.get(ParamGroup.LR));
            }
            base[i] = g.get(ParamGroup.INITIAL_LR);
        }
        return base;
    }

    /** Sets the epoch-0 learning rates; modifies the optimizer. Call at the end of a subclass constructor. */
    protected final void initialize() {
        apply(0);
    }

    /**
     * Returns the learning rate at {@code epoch} (0 = when the scheduler was created) for a group
     * whose initial learning rate is {@code baseLr}; the closed form of the schedule. Modifies nothing.
     */
    public abstract double lrAt(int epoch, double baseLr);

    /** Advances the schedule by one epoch (or batch) and sets every group's learning rate; modifies the optimizer. */
    public void step() {
        apply(lastEpoch + 1);
    }

    private void apply(int epoch) {
        lastEpoch = epoch;
        for (int i = 0; i < baseLrs.length; i++) {
            float lr = (float) lrAt(epoch, baseLrs[i]);
            optimizer.setLr(i, lr);
            lastLrs[i] = lr;
        }
    }

    /** Returns the learning rate this scheduler last set on the first group. */
    public float lastLr() {
        return lastLrs[0];
    }

    /** Returns the learning rates this scheduler last set, one per group (a copy). */
    public float[] lastLrs() {
        return lastLrs.clone();
    }

    /** Returns the number of {@link #step()} calls so far (the current epoch). */
    public int lastEpoch() {
        return lastEpoch;
    }

    /** Returns the initial learning rate of group {@code group}. */
    public double baseLr(int group) {
        return baseLrs[group];
    }

    /** Returns the optimizer this scheduler drives. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Returns the position of the schedule: {@code "last_epoch"} and {@code "base_lr.<g>"} per group. */
    public Map<String, Double> stateDict() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("last_epoch", (double) lastEpoch);
        for (int i = 0; i < baseLrs.length; i++) {
            m.put("base_lr." + i, baseLrs[i]);
        }
        return m;
    }

    /**
     * Restores a position saved by {@link #stateDict()} and sets the learning rates of that epoch;
     * modifies this scheduler and the optimizer.
     *
     * @throws IllegalArgumentException if a key is missing or unknown, or the number of groups differs
     */
    public void loadStateDict(Map<String, Double> state) {
        Objects.requireNonNull(state, name + ": state must not be null");
        Double epoch = state.get("last_epoch");
        if (epoch == null || epoch < 0 || epoch != Math.floor(epoch)) {
            throw new IllegalArgumentException(name + ": state needs a whole 'last_epoch' >= 0, got " + epoch);
        }
        double[] base = new double[baseLrs.length];
        for (int i = 0; i < base.length; i++) {
            Double b = state.get("base_lr." + i);
            if (b == null) {
                throw new IllegalArgumentException(name + ": state has no 'base_lr." + i + "' for param group " + i);
            }
            base[i] = b;
        }
        for (String key : state.keySet()) {
            if (!key.equals("last_epoch") && !key.startsWith("base_lr.")) {
                throw new IllegalArgumentException(name + ": unknown state key '" + key + "'");
            }
        }
        if (state.size() != base.length + 1) {
            throw new IllegalArgumentException(name + ": state has " + (state.size() - 1) + " base learning rates, the"
                    + " optimizer has " + base.length + " param groups");
        }
        System.arraycopy(base, 0, baseLrs, 0, base.length);
        apply(epoch.intValue());
    }

    /** Returns the name used in messages. */
    protected final String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + "(epoch " + lastEpoch + ", lr " + java.util.Arrays.toString(lastLrs) + ")";
    }
}
