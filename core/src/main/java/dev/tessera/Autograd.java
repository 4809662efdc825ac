package dev.tessera;

import dev.tessera.spi.BinaryOp;
import dev.tessera.spi.ScopeFrame;
import dev.tessera.spi.Storage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Records ops on the tape and runs backward over it. */
final class Autograd {
    private Autograd() {
    }

    /** For ops whose backward reads no tensor (only shapes and the output gradient). */
    private static final Tensor[] NOTHING_SAVED = {};

    /**
     * Attaches a backward rule that reads no tensor (only {@code g} and captured shapes) to {@code
     * out} when grad mode is on and an input requires grad; returns {@code out}.
     */
    static Tensor record(Tensor out, String op, Node.Backward backward, Tensor... inputs) {
        return record(out, op, NOTHING_SAVED, backward, inputs);
    }

    /**
     * Attaches a backward rule to {@code out} when grad mode is on and an input requires grad;
     * returns {@code out}. {@code saved} lists every tensor the rule reads (captured), null entries
     * for those it will not need: their versions are recorded, and backward fails if one of them was
     * modified in place in between (see {@link Node#checkSaved()}).
     */
    static Tensor record(Tensor out, String op, Tensor[] saved, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                Node node = new Node(op, inputs, backward);
                if (saved.length > 0) {
                    node.save(saved, out, inputs);
                }
                out.gradFn = node;
                out.requiresGrad = true;
                return out;
            }
        }
        return out;
    }

    /**
     * Hands the storages of {@code privates} to the node of {@code out}, which releases them when a
     * backward pass frees it: tensors an op created only for its own backward rule (attention
     * probabilities, copies of strided inputs, gate activations), never returned to the caller, so
     * that nothing else can read them afterwards. Without a node (grad mode off, or no input
     * requires grad) no rule will read them, and they are released now. Null entries are skipped.
     *
     * @return {@code out}
     */
    static Tensor releaseWithBackward(Tensor out, Tensor... privates) {
        Storage[] storages = Arrays.stream(privates).filter(java.util.Objects::nonNull).map(t -> t.storage)
                .toArray(Storage[]::new);
        if (out.gradFn != null) {
            out.gradFn.ownPrivates(storages);
        } else {
            for (Storage s : storages) {
                s.release();
            }
        }
        return out;
    }

    /**
     * Returns its arguments: the tensors a backward rule reads, as the {@code saved} argument of
     * {@link #record(Tensor, String, Tensor[], Node.Backward, Tensor...)}.
     */
    static Tensor[] saved(Tensor... tensors) {
        return tensors;
    }

    /**
     * Back-propagates {@code grad} (shaped like {@code root}) through the tape; leaves that require
     * grad get it added to their {@code grad}. Unless {@code retainGraph}, the tape is freed.
     */
    static void backward(Tensor root, Tensor grad, boolean retainGraph) {
        if (!root.requiresGrad) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn"
                    + " (did you build it under Tensor.noGrad(), detach() it, or forget requiresGrad(true) on an input?)");
        }
        if (!Arrays.equals(grad.shape, root.shape)) {
            throw new IllegalArgumentException("backward: gradient shape " + Shape.str(grad.shape)
                    + " differs from the tensor's shape " + Shape.str(root.shape));
        }
        // Whatever this pass allocates, but the leaves' new gradients (persisted by accumulateLeaf), is
        // one of its temporaries: released when it ends, so that CPU arrays go back to the pool for the
        // next step instead of to the garbage collector, and device memory to the device at once.
        ScopeFrame temporaries = ScopeFrame.open();
        try (GradMode ignored = new GradMode(false)) {
            // Storages already handed to a leaf (or owned by the caller): a leaf may only keep a gradient
            // without copying when nothing else can see or modify its memory.
            Set<Storage> shared = Collections.newSetFromMap(new IdentityHashMap<>());
            shared.add(grad.storage);
            if (root.gradFn == null) {
                accumulateLeaf(root, grad, shared);
                return;
            }
            List<Node> order = topologicalOrder(root.gradFn);
            // Before any gradient is computed, so that a failure leaves every leaf's grad as it was.
            for (Node node : order) {
                node.checkSaved();
            }
            Map<Node, Tensor> grads = new IdentityHashMap<>();
            // Gradients this loop allocated and nothing else sees: later contributions are added in place.
            Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
            grads.put(root.gradFn, grad);
            for (Node node : order) {
                Tensor g = grads.remove(node);
                if (g == null) {
                    continue; // no gradient flowed here (all consumers were non-differentiable paths)
                }
                owned.remove(g); // the backward rule may pass g on unchanged, to several inputs
                if (node.backward == null) {
                    throw new IllegalStateException("backward: the graph through '" + node.op + "' was already freed by an"
                            + " earlier backward(); call backward(grad, true) to keep it for a second pass");
                }
                Node regionParent = node.regionAdd != null ? node.parents[0] : null;
                Tensor regionTarget = regionParent != null ? grads.get(regionParent) : null;
                if (regionTarget != null && owned.contains(regionTarget)) {
                    node.regionAdd.addInto(regionTarget, g);
                    if (!retainGraph) {
                        node.release();
                    }
                    continue;
                }
                boolean[] needs = node.gradInto == null ? node.needs : addIntoExisting(node, g, shared, grads, owned);
                Tensor[] inGrads = node.backward.apply(g, needs);
                for (int i = 0; i < needs.length; i++) {
                    if (!needs[i] || inGrads[i] == null) {
                        continue;
                    }
                    Tensor gi = inGrads[i];
                    if (!Arrays.equals(gi.shape, node.shapes[i])) {
                        gi = Reductions.sumToShape(gi, node.shapes[i]); // undo broadcasting
                    }
                    Node parent = node.parents[i];
                    if (parent != null) {
                        Tensor prev = grads.get(parent);
                        if (prev == null) {
                            grads.put(parent, gi);
                            if (node.regionAdd != null) {
                                owned.add(gi); // a region op's gradient is a fresh full-size tensor
                            }
                        } else if (owned.contains(prev)) {
                            prev.backend.binary(BinaryOp.ADD, prev.view(), gi.view(), prev.view());
                        } else {
                            Tensor sum = Kernels.add(prev, gi);
                            grads.put(parent, sum);
                            owned.add(sum);
                        }
                    } else {
                        accumulateLeaf(node.leaves[i], gi, shared);
                    }
                }
                if (!retainGraph) {
                    node.release();
                }
            }
        } finally {
            temporaries.close();
        }
    }

    /**
     * Lets the node add an input's gradient straight into a buffer that already holds that input's
     * gradient (see {@link Node.GradInto}): a leaf's contiguous {@code grad}, or the sum this loop
     * owns for an intermediate result that several ops consumed. Returns the needs left for the
     * node's backward rule.
     */
    private static boolean[] addIntoExisting(Node node, Tensor g, Set<Storage> shared, Map<Node, Tensor> grads,
            Set<Tensor> owned) {
        boolean[] needs = node.needs;
        for (int i = 0; i < needs.length; i++) {
            if (!needs[i]) {
                continue;
            }
            Tensor leaf = node.leaves[i];
            Tensor dest = leaf != null ? leaf.grad : node.parents[i] == null ? null : grads.get(node.parents[i]);
            // A leaf with no gradient yet may have a spare buffer from its last one (see Tensor.zeroGrad).
            boolean overwrite = dest == null && leaf != null && leaf.spareGrad != null;
            if (overwrite) {
                dest = leaf.spareGrad;
            }
            if (dest == null || leaf == null && !owned.contains(dest) || !dest.isContiguous()
                    || !Arrays.equals(dest.shape, node.shapes[i])) {
                continue;
            }
            if (node.gradInto.addInto(i, g, dest, overwrite)) {
                if (leaf != null) {
                    if (overwrite) {
                        leaf.spareGrad = null;
                        leaf.grad = dest;
                        leaf.gradFromBackward = true;
                        leaf.gradHandedOut = false;
                    }
                    dest.version.bump();
                    shared.add(dest.storage);
                }
                if (needs == node.needs) {
                    needs = needs.clone();
                }
                needs[i] = false;
            }
        }
        return needs;
    }

    /**
     * Adds {@code g} to the leaf's gradient: in place when it has one (a contiguous one), else by
     * taking {@code g}. A first gradient is kept as is when it is contiguous and its storage is not
     * visible elsewhere; otherwise it is copied, because optimizers and gradient clipping modify a
     * leaf's grad in place and the same gradient may flow to several leaves.
     */
    private static void accumulateLeaf(Tensor leaf, Tensor g, Set<Storage> shared) {
        if (leaf.grad != null && leaf.grad.isContiguous()) {
            // Into the existing buffer, as PyTorch does: a gradient kept across zeroGrad(false) is
            // allocated once, so device memory stays flat over any number of steps.
            InPlace.binary(BinaryOp.ADD, leaf.grad, g);
        } else {
            if (leaf.grad == null) {
                boolean privateStorage = g.isContiguous() && g.offset == 0 && g.storage.length() == Shape.numel(g.shape)
                        && shared.add(g.storage);
                leaf.grad = privateStorage ? g : Kernels.copyContiguous(g);
            } else {
                leaf.grad = Kernels.add(leaf.grad, g);
            }
            leaf.gradFromBackward = true;
            leaf.gradHandedOut = false;
            ScopeFrame.persist(leaf.grad.storage); // a new gradient outlives memory scopes
        }
        shared.add(leaf.grad.storage);
    }

    /** Returns the nodes reachable from {@code root}, each after every node that consumes it. */
    private static List<Node> topologicalOrder(Node root) {
        // Iterative post-order DFS (deep networks would overflow a recursive one), then reverse.
        List<Node> post = new ArrayList<>();
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int next = (Integer) frame[1];
            Node[] parents = node.parents;
            if (parents != null && next < parents.length) {
                frame[1] = next + 1;
                Node parent = parents[next];
                if (parent != null && !seen.containsKey(parent)) {
                    seen.put(parent, Boolean.TRUE);
                    stack.push(new Object[] {parent, 0});
                }
            } else {
                stack.pop();
                post.add(node);
            }
        }
        java.util.Collections.reverse(post);
        return post;
    }
}
