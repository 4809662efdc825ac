package dev.tessera.spi;

import dev.tessera.ConstantCache;
import dev.tessera.DType;
import java.util.List;

/**
 * The default implementations of {@link Backend}'s pooling primitives, composed from the required
 * primitives only, so they run on any backend. Every pool is a gather of windows: an index table
 * {@code [outH * outW, kernelH * kernelW]} lists the flat input position of each window element,
 * or a sentinel slot past the end of each plane where the window reaches into the padding (or, for
 * adaptive pooling, is smaller than the largest window). The sentinel holds -inf for max pooling
 * and 0 for average pooling. Max pooling then reduces with ARGMAX (the first maximum wins, as in
 * PyTorch) and MAX; average pooling with SUM and a multiplication by the reciprocal divisors.
 *
 * <p>A max-pool window whose every real element is -inf reports its first element's index.
 *
 * <p>The tables (windows, resolved max-pool positions, reciprocal divisors) are uploaded once per
 * backend and geometry and cached in {@link #TABLES}.
 */
final class ComposedPool {
    /** The uploaded tables, keyed by backend, kind and geometry with the batch set to 1; read-only. */
    static final ConstantCache<ComposedConv.TableKey, Storage> TABLES = new ConstantCache<>("pool2d index tables");

    private ComposedPool() {
    }

    /** The table of {@code kind} for {@code s} on {@code b}, built by {@code build} and uploaded on first use. */
    private static Storage cached(Backend b, String kind, Pool2dSpec s, java.util.function.Supplier<Storage> build) {
        return TABLES.get(new ComposedConv.TableKey(b, List.of(kind, s.withBatch(1))), k -> build.get());
    }

    /** The window table of {@code s} on {@code b}. */
    static Storage uploadedTable(Backend b, Pool2dSpec s) {
        return cached(b, "windows", s, () -> b.upload(table(s)));
    }

    /** The reciprocal divisors of {@code s} on {@code b}. */
    static Storage uploadedReciprocals(Backend b, Pool2dSpec s) {
        return cached(b, "reciprocals", s, () -> b.upload(reciprocals(s)));
    }

    /** The flat input index of each window position (padded taps: the window's first real element). */
    static float[] resolved(Pool2dSpec s) {
        int[] t = table(s);
        int l = s.outH() * s.outW();
        int km = s.kernelH() * s.kernelW();
        float[] resolved = new float[t.length];
        int hw = s.height() * s.width();
        for (int o = 0; o < l; o++) {
            int first = -1;
            for (int k = 0; k < km && first < 0; k++) {
                first = t[o * km + k] != hw ? t[o * km + k] : -1;
            }
            for (int k = 0; k < km; k++) {
                int v = t[o * km + k];
                resolved[o * km + k] = v != hw ? v : Math.max(first, 0);
            }
        }
        return resolved;
    }

    /** The window table; padded taps point at {@code H * W}. */
    static int[] table(Pool2dSpec s) {
        int h = s.height();
        int w = s.width();
        int km = s.kernelH() * s.kernelW();
        int[] t = new int[s.outH() * s.outW() * km];
        int i = 0;
        for (int oy = 0; oy < s.outH(); oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                int h0 = s.startH(oy);
                int h1 = s.endH(oy);
                int w0 = s.startW(ox);
                int w1 = s.endW(ox);
                for (int ky = 0; ky < s.kernelH(); ky++) {
                    for (int kx = 0; kx < s.kernelW(); kx++) {
                        int iy = h0 + ky;
                        int ix = w0 + kx;
                        boolean inside = iy < h1 && ix < w1 && iy >= 0 && iy < h && ix >= 0 && ix < w;
                        t[i++] = inside ? iy * w + ix : h * w;
                    }
                }
            }
        }
        return t;
    }

    /** A copy of {@code x} as {@code [N*C, H*W + 1]} planes whose last slot holds {@code sentinel}. */
    private static Storage planes(Backend b, View x, Pool2dSpec s, float sentinel) {
        int nc = s.batch() * s.channels();
        int hw1 = s.height() * s.width() + 1;
        Storage st = b.allocate(DType.FLOAT32, nc * hw1);
        if (sentinel != 0f) {
            b.fill(new View(st, new int[] {nc * hw1}, new int[] {1}, 0), sentinel);
        }
        b.copy(x, planeView(st, s));
        return st;
    }

    private static View planeView(Storage st, Pool2dSpec s) {
        int hw1 = s.height() * s.width() + 1;
        return new View(st, new int[] {s.batch(), s.channels(), s.height(), s.width()},
                new int[] {s.channels() * hw1, hw1, s.width(), 1}, 0);
    }

    /** The gathered windows {@code [N*C, L*K]} of the planes. */
    private static Storage windows(Backend b, Storage planes, Storage index, Pool2dSpec s) {
        int nc = s.batch() * s.channels();
        int hw1 = s.height() * s.width() + 1;
        int row = s.outH() * s.outW() * s.kernelH() * s.kernelW();
        Storage win = b.allocate(DType.FLOAT32, nc * row);
        b.gather(new View(planes, new int[] {nc, hw1}, new int[] {hw1, 1}, 0), 1,
                new View(index, new int[] {nc, row}, new int[] {0, 1}, 0), new View(win, new int[] {nc, row}, new int[] {row, 1}, 0));
        return win;
    }

    static void maxPool2d(Backend b, View x, Pool2dSpec s, View out, View indices) {
        int nc = s.batch() * s.channels();
        int l = s.outH() * s.outW();
        int km = s.kernelH() * s.kernelW();
        Storage win = windows(b, planes(b, x, s, Float.NEGATIVE_INFINITY), uploadedTable(b, s), s);
        b.reduce(ReduceOp.MAX, win, 0, nc * l, km, 1, out.storage(), out.offset());
        Storage arg = b.allocate(DType.INT32, nc * l);
        b.reduce(ReduceOp.ARGMAX, win, 0, nc * l, km, 1, arg, 0);
        // Window position -> flat input index; padded taps map to the window's first real element.
        Storage resolved = cached(b, "resolved", s, () -> b.upload(resolved(s)));
        Storage chosen = b.allocate(DType.FLOAT32, nc * l);
        b.gather(new View(resolved, new int[] {nc, l, km}, new int[] {0, km, 1}, 0), 2,
                new View(arg, new int[] {nc, l, 1}, new int[] {l, 1, 1}, 0), new View(chosen, new int[] {nc, l, 1}, new int[] {l, 1, 1}, 0));
        b.copy(new View(chosen, new int[] {nc * l}, new int[] {1}, 0),
                new View(indices.storage(), new int[] {nc * l}, new int[] {1}, indices.offset()));
    }

    static void maxPool2dBackward(Backend b, View gradOut, View indices, Pool2dSpec s, View gradIn) {
        int nc = s.batch() * s.channels();
        int l = s.outH() * s.outW();
        int hw = s.height() * s.width();
        b.scatterAdd(new View(gradOut.storage(), new int[] {nc, l}, new int[] {l, 1}, gradOut.offset()), 1,
                new View(indices.storage(), new int[] {nc, l}, new int[] {l, 1}, indices.offset()),
                new View(gradIn.storage(), new int[] {nc, hw}, new int[] {hw, 1}, gradIn.offset()));
    }

    /** The reciprocal divisors {@code [outH * outW]}. */
    private static float[] reciprocals(Pool2dSpec s) {
        float[] r = new float[s.outH() * s.outW()];
        for (int oy = 0; oy < s.outH(); oy++) {
            for (int ox = 0; ox < s.outW(); ox++) {
                r[oy * s.outW() + ox] = 1f / s.divisor(oy, ox);
            }
        }
        return r;
    }

    static void avgPool2d(Backend b, View x, Pool2dSpec s, View out) {
        int nc = s.batch() * s.channels();
        int l = s.outH() * s.outW();
        int km = s.kernelH() * s.kernelW();
        Storage win = windows(b, planes(b, x, s, 0f), uploadedTable(b, s), s);
        Storage sum = b.allocate(DType.FLOAT32, nc * l);
        b.reduce(ReduceOp.SUM, win, 0, nc * l, km, 1, sum, 0);
        View o = new View(out.storage(), new int[] {nc, l}, new int[] {l, 1}, out.offset());
        b.binary(BinaryOp.MUL, new View(sum, new int[] {nc, l}, new int[] {l, 1}, 0),
                new View(uploadedReciprocals(b, s), new int[] {nc, l}, new int[] {0, 1}, 0), o);
    }

    static void avgPool2dBackward(Backend b, View gradOut, Pool2dSpec s, View gradIn) {
        int nc = s.batch() * s.channels();
        int l = s.outH() * s.outW();
        int km = s.kernelH() * s.kernelW();
        int hw1 = s.height() * s.width() + 1;
        // Each window element receives gradOut / divisor: scale, repeat over the window, scatter-add.
        Storage scaled = b.allocate(DType.FLOAT32, nc * l);
        b.binary(BinaryOp.MUL, new View(gradOut.storage(), new int[] {nc, l}, new int[] {l, 1}, gradOut.offset()),
                new View(uploadedReciprocals(b, s), new int[] {nc, l}, new int[] {0, 1}, 0),
                new View(scaled, new int[] {nc, l}, new int[] {l, 1}, 0));
        Storage repeated = b.allocate(DType.FLOAT32, nc * l * km);
        b.copy(new View(scaled, new int[] {nc, l, km}, new int[] {l, 1, 0}, 0),
                new View(repeated, new int[] {nc, l, km}, new int[] {l * km, km, 1}, 0));
        Storage planes = b.allocate(DType.FLOAT32, nc * hw1);
        b.scatterAdd(new View(repeated, new int[] {nc, l * km}, new int[] {l * km, 1}, 0), 1,
                new View(uploadedTable(b, s), new int[] {nc, l * km}, new int[] {0, 1}, 0),
                new View(planes, new int[] {nc, hw1}, new int[] {hw1, 1}, 0));
        View gi = new View(gradIn.storage(), gradIn.shape(), gradIn.strides(), gradIn.offset());
        b.binary(BinaryOp.ADD, gi, planeView(planes, s), gi);
    }
}
