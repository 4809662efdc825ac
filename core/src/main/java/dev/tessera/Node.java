package dev.tessera;

/**
 * One recorded op on the autograd tape: its inputs and the rule that turns the gradient of its
 * output into gradients of its inputs. The rule is written with tensor ops, so it runs on whatever
 * device the tensors live on.
 */
final class Node {
    /** Computes input gradients; {@code needs[i]} says whether input i wants one (others may be null). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor grad, boolean[] needs);
    }

    final String op;
    Tensor[] inputs;
    Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** Drops the saved tensors so their memory can be reclaimed once backward has used them. */
    void release() {
        inputs = null;
        backward = null;
    }

    @Override
    public String toString() {
        return op + "Backward";
    }
}
