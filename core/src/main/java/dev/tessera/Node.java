package dev.tessera;

/**
 * One recorded op on the autograd tape: where its inputs came from and the rule that turns the
 * gradient of its output into gradients of its inputs. The rule is written with tensor ops, so it
 * runs on whatever device the tensors live on.
 *
 * <p>A node does not hold its input tensors, only what backward needs to route gradients (the
 * producing node, or the leaf to accumulate into, and the input's shape): intermediate results are
 * kept alive only when a backward rule captured them.
 */
final class Node {
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

    /** Drops everything backward kept, so the memory it saved can be reclaimed. */
    void release() {
        parents = null;
        leaves = null;
        backward = null;
        regionAdd = null;
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
