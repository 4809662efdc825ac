package dev.tessera.spi;

/**
 * A storage whose memory the garbage collector owns (a Java array), as opposed to device memory.
 * Memory scopes release it like any other storage, and count it in {@link MemoryLedger#heapStats()}
 * while they hold it; no cleaner is registered for it.
 */
public interface HeapStorage extends Storage {
}
