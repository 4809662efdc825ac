package dev.tessera;

/** The element type of a tensor. */
public enum DType {
    /** 32-bit IEEE-754 float: parameters, activations and gradients. */
    FLOAT32(4),
    /** 32-bit signed integer: class labels, indices, the result of {@code argmax}. */
    INT32(4);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Returns the size of one element in bytes. */
    public int byteSize() {
        return byteSize;
    }
}
