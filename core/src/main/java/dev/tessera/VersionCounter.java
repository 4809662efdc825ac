package dev.tessera;

/**
 * The number of in-place writes a storage has seen, as PyTorch's version counter: one instance per
 * storage, shared by every tensor viewing it (views, {@link Tensor#detach()}), bumped by every
 * in-place op. A {@link Node} records the version of each tensor it saves for backward, and
 * backward fails if the version changed in between (see {@link Node#checkSaved()}).
 *
 * <p>Not synchronised: concurrent in-place writes to one storage are a data race already.
 */
final class VersionCounter {
    /** Writes so far; starts at 0 for a new storage. */
    int value;

    /** Counts one more in-place write. */
    void bump() {
        value++;
    }
}
