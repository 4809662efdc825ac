package dev.tessera.spi;

/**
 * Frees the temporaries of a composed default as soon as it returns: every storage a backend
 * creates on this thread while a scratch scope is open is released when it closes. The composed
 * defaults write only into the views they are given, so whatever they allocate is scratch; on a
 * GPU this returns it to the device at once instead of at the next garbage collection.
 */
final class Scratch implements AutoCloseable {
    private final ScopeFrame frame;

    private Scratch() {
        this.frame = ScopeFrame.open();
    }

    /** Opens a scratch scope on the current thread; close it with try-with-resources. */
    static Scratch open() {
        return new Scratch();
    }

    @Override
    public void close() {
        frame.close();
    }
}
