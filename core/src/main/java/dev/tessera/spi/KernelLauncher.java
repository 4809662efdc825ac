package dev.tessera.spi;

import java.util.List;

/**
 * Launches the named kernels of core's {@code dev/tessera/kernels/*.c} on one device: the one thing
 * a {@link KernelBackend} needs from a GPU API to run a primitive. For backend authors: a backend
 * implements {@link #launch} (how a kernel of a file is found and queued with its arguments); the
 * one-dimensional and strided launches built on it are the same on every device.
 *
 * <p><b>Arguments</b> are passed in order as Java objects: {@link Integer} (int), {@link Float}
 * (float), a device buffer (the backend's {@link KernelStorage}, or its raw buffer handle) for a
 * GLOBAL pointer, and {@code int[]} for a struct of ints passed by value (e.g. a {@link
 * KernelLayout} struct). A launcher may accept more (OpenCL's LOCAL buffers).
 *
 * <p><b>Geometry</b> is written OpenCL-style: {@code global[d]} work-items in work-groups of {@code
 * local[d]}, each global size a multiple of its local size; a kernel sees {@code GID(d)} in {@code
 * [0, global[d])}.
 */
public abstract class KernelLauncher {
    /** Work-group size of the one-dimensional launches ({@link #launch1d}, {@link #launchStrided}). */
    public static final int GROUP = 64;

    /** For subclasses. */
    protected KernelLauncher() {
    }

    /**
     * Queues kernel {@code name} of {@code file} (e.g. {@code "elementwise.c"}) over {@code global}
     * work-items in groups of {@code local} (same length, 1 to 3 dimensions; each global size a
     * multiple of the local size) with {@code args} (see the class comment). Returns without
     * waiting; nothing for an empty launch.
     */
    public abstract void launch(String file, String name, long[] global, long[] local, Object... args);

    /**
     * Returns the most work-groups one launch may have along its second and third dimensions;
     * planners split larger launches (e.g. {@link TiledGemm} splits its batch). The default has
     * no limit ({@link Integer#MAX_VALUE}).
     */
    public int maxGroupsYZ() {
        return Integer.MAX_VALUE;
    }

    /**
     * Queues a one-dimensional launch of at least {@code n} work-items in groups of {@code group}
     * (the global size is rounded up; the kernel must ignore items {@code >= n}); nothing for
     * {@code n == 0}.
     */
    public void launch1d(String file, String name, long n, int group, Object... args) {
        launch(file, name, new long[] {roundUp(n, group)}, new long[] {group}, args);
    }

    /**
     * Queues an elementwise kernel {@code name(Layout L, int n, args...)} over views of one {@code
     * shape} with the given per-operand strides and offsets (see {@link KernelLayout}): one
     * work-item per element in groups of {@link #GROUP}, one launch per packed layout (normally
     * one), each with the layout and its element count in front of {@code args}; nothing for an
     * empty shape.
     */
    public void launchStrided(String file, String name, int[] shape, int[][] strides, int[] offsets, Object... args) {
        List<int[]> layouts = KernelLayout.pack(shape, strides, offsets);
        for (int[] layout : layouts) {
            int n = KernelLayout.numel(layout);
            Object[] all = new Object[args.length + 2];
            all[0] = layout;
            all[1] = n;
            System.arraycopy(args, 0, all, 2, args.length);
            launch1d(file, name, n, GROUP, all);
        }
    }

    /** Returns {@code n} rounded up to a multiple of {@code m}. */
    public static long roundUp(long n, long m) {
        return (n + m - 1) / m * m;
    }
}
