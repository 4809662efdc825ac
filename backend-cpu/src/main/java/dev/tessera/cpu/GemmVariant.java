package dev.tessera.cpu;

import java.util.List;
import java.util.Locale;

/**
 * One way the Vector API GEMM ({@link VectorGemm}) can run: the height of its register tile and
 * whether it packs A. Every variant computes each element of C with the same sequence of fused
 * multiply-adds (k in order, in blocks of {@link VectorGemm#KC}), so switching variants never
 * changes a result, only the speed: results stay reproducible bit for bit whichever one a
 * machine picks.
 *
 * <ul>
 *   <li>{@code inplace8x2}: 8 rows x 2 vectors, A read in place through eight row offsets (or
 *       its rows copied to fixed offsets, for tasks of four or more column panels) and B packed
 *       (small B read in place); the fastest on AMD Zen 4/5 with AVX-512.</li>
 *   <li>{@code packed8x2}, {@code packed12x2}: A packed into row panels as well, so the kernel
 *       walks both operands with constant strides (no per-element bounds checks, one stream of A
 *       instead of eight strided rows); 16 and 24 accumulators fit the 32 AVX-512 registers.</li>
 *   <li>{@code packed6x2}: 12 accumulators + 2 B vectors + 1 broadcast fit the 16 AVX2
 *       registers, where 8 x 2 spills.</li>
 * </ul>
 * The packed variants read A in place where packing would not pay: B read in place, or a task
 * that covers fewer than {@link #PACK_A_MIN_PANELS} column panels.
 */
public final class GemmVariant {

    /** Column panels a task must cover before packing its rows of A pays for itself. */
    static final int PACK_A_MIN_PANELS = 16;

    /** The variant the code was first written with; the default on AMD CPUs. */
    public static final GemmVariant INPLACE_8X2 = new GemmVariant("inplace8x2", 8, false);
    /** 8 x 2 tile on packed A and B. */
    public static final GemmVariant PACKED_8X2 = new GemmVariant("packed8x2", 8, true);
    /** 12 x 2 tile on packed A and B (24 accumulators: AVX-512 only). */
    public static final GemmVariant PACKED_12X2 = new GemmVariant("packed12x2", 12, true);
    /** 6 x 2 tile on packed A and B (fits the 16 registers of AVX2). */
    public static final GemmVariant PACKED_6X2 = new GemmVariant("packed6x2", 6, true);

    /** Every variant, in the order ties are broken. */
    public static final List<GemmVariant> ALL = List.of(INPLACE_8X2, PACKED_8X2, PACKED_12X2, PACKED_6X2);

    private final String name;
    private final int mr;
    private final boolean packsA;

    private GemmVariant(String name, int mr, boolean packsA) {
        this.name = name;
        this.mr = mr;
        this.packsA = packsA;
    }

    /**
     * The variant with this name.
     *
     * @param name e.g. {@code "packed8x2"} (case-insensitive)
     * @return the variant
     * @throws IllegalArgumentException naming the unknown name and the known ones
     */
    public static GemmVariant forName(String name) {
        for (GemmVariant v : ALL) {
            if (v.name.equals(name.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException("GEMM variant '" + name + "' is unknown; expected one of "
                + ALL.stream().map(GemmVariant::name).toList());
    }

    /** @return the name, e.g. {@code "packed8x2"} */
    public String name() {
        return name;
    }

    /** @return the rows of the register tile */
    public int mr() {
        return mr;
    }

    /** @return whether A is packed into row panels (where that pays) */
    public boolean packsA() {
        return packsA;
    }

    /** @return rows of C per task: a multiple of {@link #mr()} near 64, whose A block stays in L2 */
    int mc() {
        return mr * Math.max(1, Math.round(64f / mr));
    }

    @Override
    public String toString() {
        return name;
    }
}
