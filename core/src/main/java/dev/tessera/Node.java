package dev.tessera;

import dev.tessera.spi.Storage;

/**
 * One recorded op on the autograd tape: where its inputs came from and the rule that turns the
 * gradient of its output into gradients of its inputs. The rule is written with tensor ops, so it
 * runs on whatever device the tensors live on.
 *
 * <p>A node does not hold its input tensors, only what backward needs to route gradients (the
 * producing node, or the leaf to accumulate into, and the input's shape): intermediate results are
 * kept alive only when a backward rule captured them.
 *
 * <p>The tensors a backward rule reads are also registered with {@link #save}, which records their
 * {@link VersionCounter versions}; {@link #checkSaved()} fails if one was written in place since, as
 * PyTorch does, instead of letting backward compute a gradient from the new values.
 */
final class Node {
    /** The role of a saved tensor that views the op's output. */
    private static final int OUTPUT = -1;
    /** The role of a saved tensor that views neither an input nor the output (a private copy). */
    private static final int OTHER = -2;

    /** Computes input gradients; {@code needs[i]} says whether input i wants one (others may be null). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor grad, boolean[] needs);
    }

    /**
     * For ops whose input gradient is the output gradient placed into a region of zeros (slices):
     * adds the output gradient into that region of an existing gradient of the input instead.
     */
    @FunctionalInterface
    interface RegionAdd {
        void addInto(Tensor inputGrad, Tensor grad);
    }

    /**
     * For ops that can add an input's gradient straight into an existing buffer, such as a matrix
     * product with beta = 1 into a weight's kept gradient: saves the temporary and the pass that
     * would add it. With {@code overwrite}, {@code dest} is a spare buffer (see
     * {@link Tensor#zeroGrad()}) to be overwritten with the gradient, bit for bit as the usual path
     * computes it. Returns false where it cannot, and backward then computes the gradient as usual.
     */
    @FunctionalInterface
    interface GradInto {
        boolean addInto(int input, Tensor grad, Tensor dest, boolean overwrite);
    }

    final String op;
    /** For each input, the node that produced it, or null for a leaf or a constant. */
    Node[] parents;
    /** For each input, the input itself when it is a leaf that requires grad, else null. */
    Tensor[] leaves;
    /** For each input, its shape: gradients are summed back to it after broadcasting. */
    int[][] shapes;
    /** For each input, whether a gradient must flow to it. */
    boolean[] needs;
    Backward backward;
    /** Set by region ops (see {@link RegionAdd}); null otherwise. */
    RegionAdd regionAdd;
    /** Set by ops that can accumulate into a leaf's gradient (see {@link GradInto}); null otherwise. */
    GradInto gradInto;
    /** The tensors backward reads (null entries: not needed), or null when it reads none. */
    private Tensor[] saved;
    /** For each saved tensor, its version when saved. */
    private int[] savedVersions;
    /** For each saved tensor, the input whose storage it views, {@link #OUTPUT} or {@link #OTHER}. */
    private int[] savedRoles;
    /** Storages only the backward rule can reach, released with it (see {@link Autograd#releaseWithBackward}); or null. */
    private Storage[] privates;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.backward = backward;
        int n = inputs.length;
        parents = new Node[n];
        leaves = new Tensor[n];
        shapes = new int[n][];
        needs = new boolean[n];
        for (int i = 0; i < n; i++) {
            Tensor in = inputs[i];
            if (in == null) {
                continue;
            }
            shapes[i] = in.shape;
            needs[i] = in.requiresGrad;
            if (in.requiresGrad) {
                if (in.gradFn != null) {
                    parents[i] = in.gradFn;
                } else {
                    leaves[i] = in;
                }
            }
        }
    }

    /**
     * Registers the tensors the backward rule reads (null entries are skipped) with their current
     * versions; {@code out} and {@code inputs} only name each one's role in an error message.
     */
    void save(Tensor[] tensors, Tensor out, Tensor[] inputs) {
        saved = tensors;
        savedVersions = new int[tensors.length];
        savedRoles = new int[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            if (t == null) {
                continue;
            }
            savedVersions[i] = t.version.value;
            int role = t.storage == out.storage ? OUTPUT : OTHER;
            for (int k = 0; k < inputs.length && role == OTHER; k++) {
                if (inputs[k] != null && inputs[k].storage == t.storage) {
                    role = k;
                }
            }
            savedRoles[i] = role;
        }
    }

    /**
     * Throws if a saved tensor was modified in place after it was saved (its version changed).
     *
     * @throws IllegalStateException naming this op, the tensor's role and shape, and both versions
     */
    void checkSaved() {
        if (saved == null) {
            return;
        }
        for (int i = 0; i < saved.length; i++) {
            Tensor t = saved[i];
            if (t != null && t.version.value != savedVersions[i]) {
                throw new IllegalStateException("backward: one of the tensors needed for gradient computation has been"
                        + " modified by an in-place operation: " + describeSaved(i) + " is at version " + t.version.value
                        + "; expected version " + savedVersions[i] + ". Something wrote to it or to a view of its memory"
                        + " (addInPlace, copyFrom, fill, an optimizer step, ...) after '" + op + "' saved it for backward;"
                        + " write to a copy instead, or run the forward pass again after the write");
            }
        }
    }

    /** E.g. {@code input 0 of 'mul' (shape [2], itself the output of 'exp')}. */
    private String describeSaved(int i) {
        Tensor t = saved[i];
        int role = savedRoles[i];
        String what = role >= 0 ? "input " + role + " of '" + op + "'"
                : role == OUTPUT ? "the output of '" + op + "'" : "a tensor saved by '" + op + "'";
        String origin = role == OUTPUT ? ""
                : t.gradFn != null ? ", itself the output of '" + t.gradFn.op + "'"
                : t.requiresGrad ? ", a leaf" : ", not requiring grad";
        return what + " (shape " + Shape.str(t.shape) + origin + ")";
    }

    /** Registers storages only the backward rule can reach, released by {@link #release()}. */
    void ownPrivates(Storage[] storages) {
        privates = storages;
    }

    /**
     * Drops everything backward kept, so the memory it saved can be reclaimed; the storages private
     * to the rule go back to their backend now (on the CPU into the array pool, on a GPU to the
     * device) rather than to the garbage collector.
     */
    void release() {
        parents = null;
        leaves = null;
        backward = null;
        regionAdd = null;
        gradInto = null;
        saved = null;
        if (privates != null) {
            for (Storage s : privates) {
                s.release();
            }
            privates = null;
        }
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
