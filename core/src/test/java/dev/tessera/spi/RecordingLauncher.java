package dev.tessera.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link KernelLauncher} that runs nothing and records every launch, for testing the planning of
 * {@link KernelBackend} without a device. With {@code keepStrided}, a strided launch is recorded as
 * asked (shape, strides and offsets of its operands) instead of as the packed one-dimensional
 * launches {@link KernelLauncher#launchStrided} makes of it.
 */
final class RecordingLauncher extends KernelLauncher {
    /**
     * One recorded launch: {@code global}/{@code local} for a launch, or {@code shape}/{@code
     * strides}/{@code offsets} for a strided launch kept as asked.
     */
    record Launch(String file, String name, long[] global, long[] local, int[] shape, int[][] strides, int[] offsets,
                  Object[] args) {
        /** Returns true for a strided launch kept as asked. */
        boolean strided() {
            return shape != null;
        }
    }

    final List<Launch> launches = new ArrayList<>();
    private final boolean keepStrided;
    private final int maxGroupsYZ;

    RecordingLauncher(boolean keepStrided, int maxGroupsYZ) {
        this.keepStrided = keepStrided;
        this.maxGroupsYZ = maxGroupsYZ;
    }

    @Override
    public void launch(String file, String name, long[] global, long[] local, Object... args) {
        launches.add(new Launch(file, name, global.clone(), local.clone(), null, null, null, args.clone()));
    }

    @Override
    public void launchStrided(String file, String name, int[] shape, int[][] strides, int[] offsets, Object... args) {
        if (!keepStrided) {
            super.launchStrided(file, name, shape, strides, offsets, args);
            return;
        }
        int[][] s = new int[strides.length][];
        for (int k = 0; k < s.length; k++) {
            s[k] = strides[k].clone();
        }
        launches.add(new Launch(file, name, null, null, shape.clone(), s, offsets.clone(), args.clone()));
    }

    @Override
    public int maxGroupsYZ() {
        return maxGroupsYZ;
    }

    /** Returns the only launch recorded, failing the test if there is not exactly one. */
    Launch only() {
        if (launches.size() != 1) {
            throw new AssertionError("expected one launch, got " + launches.size() + ": " + names());
        }
        return launches.get(0);
    }

    /** Returns {@code "file/name"} of each launch in order. */
    List<String> names() {
        return launches.stream().map(l -> l.file() + "/" + l.name()).toList();
    }
}
