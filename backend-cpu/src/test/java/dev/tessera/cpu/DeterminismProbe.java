package dev.tessera.cpu;

import dev.tessera.FusedAttention;
import dev.tessera.Generator;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Run in a fresh JVM by {@link DeterminismTest}: computes each op on fixed inputs once at start-up
 * (interpreted code), then again and again until the JIT has compiled it with C2, and prints one
 * line per op, {@code op <hash of the first result's bits> <iterations> <first differing
 * iteration or -1>}. The parent compares the lines of a 1-thread and a 2-thread JVM.
 */
final class DeterminismProbe {
    private DeterminismProbe() {
    }

    public static void main(String[] args) {
        Map<String, Supplier<float[]>> ops = ops();
        // First results of every op before any is repeated: all of them come from cold code.
        Map<String, float[]> first = new LinkedHashMap<>();
        ops.forEach((name, op) -> first.put(name, op.get()));
        for (var e : ops.entrySet()) {
            float[] ref = first.get(e.getKey());
            // Enough calls for C2 to compile the kernels (about 10,000 loop iterations each).
            int repeats = e.getKey().endsWith("-small") ? 4000 : 100;
            int differs = -1;
            for (int i = 1; i <= repeats && differs < 0; i++) {
                if (!sameBits(ref, e.getValue().get())) {
                    differs = i;
                }
            }
            System.out.println("op " + e.getKey() + " " + Long.toHexString(hash(ref)) + " " + repeats + " " + differs);
        }
    }

    /** Every op of the guarantee, on sizes that take the vector loops, their tails and the parallel paths. */
    static Map<String, Supplier<float[]>> ops() {
        Map<String, Supplier<float[]>> ops = new LinkedHashMap<>();
        Tensor small = input(1, 3, 37);
        Tensor big = input(2, 64, 1031); // 66K elements: above the parallel grain of elementwise ops
        for (Tensor x : List.of(small, big)) {
            String s = x == small ? "-small" : "-big";
            ops.put("exp" + s, () -> x.exp().toFloatArray());
            ops.put("log" + s, () -> x.abs().log().toFloatArray());
            ops.put("tanh" + s, () -> x.tanh().toFloatArray());
            ops.put("sigmoid" + s, () -> x.sigmoid().toFloatArray());
            ops.put("softplus" + s, () -> x.softplus().toFloatArray());
            ops.put("elu" + s, () -> x.elu(1f).toFloatArray());
            ops.put("gelu" + s, () -> x.gelu().toFloatArray());
            ops.put("sin" + s, () -> x.sin().toFloatArray());
            ops.put("pow" + s, () -> x.abs().pow(1.5f).toFloatArray());
            ops.put("softmax" + s, () -> x.softmax(-1).toFloatArray());
            ops.put("softmax0" + s, () -> x.softmax(0).toFloatArray());
            ops.put("logSoftmax" + s, () -> x.logSoftmax(-1).toFloatArray());
            ops.put("sum" + s, () -> cat(x.sum(), x.sum(-1, false), x.sum(0, false), x.mean()));
            ops.put("grad-tanh-softmax" + s, () -> grad(x, t -> t.tanh().softmax(-1)));
            ops.put("grad-sigmoid-logSoftmax" + s, () -> grad(x, t -> t.sigmoid().logSoftmax(-1)));
            ops.put("grad-gelu" + s, () -> grad(x, Tensor::gelu));
        }
        Tensor longRows = input(10, 3, 300_000); // few long rows: summed in fixed pieces over the pool
        ops.put("sum-long-rows", () -> cat(longRows.sum(), longRows.sum(1, false), longRows.max(1, false)));
        Tensor a = input(3, 300, 310);
        Tensor b = input(4, 310, 290);
        ops.put("matmul-300", () -> a.matmul(b).toFloatArray());
        ops.put("matmul-37", () -> a.slice(0, 0, 37).slice(1, 0, 37).matmul(b.slice(0, 0, 37).slice(1, 0, 37)).toFloatArray());
        Tensor q = input(5, 8, 50, 32);
        Tensor k = input(6, 8, 60, 32);
        Tensor v = input(7, 8, 60, 32);
        ops.put("attention", () -> attention(q, k, v));
        // One shape per convolution path (see ConvKernels): small grid, large grid, few images, 1x1, depthwise.
        ops.put("conv2d-small-grid", () -> conv(input(8, 16, 3, 28, 28), input(9, 8, 3, 5, 5), 1, 2, 1));
        ops.put("conv2d-large-grid", () -> conv(input(8, 4, 16, 40, 40), input(9, 32, 16, 3, 3), 1, 1, 1));
        ops.put("conv2d-3-images", () -> conv(input(8, 3, 16, 40, 40), input(9, 16, 16, 3, 3), 2, 1, 1));
        ops.put("conv2d-1x1", () -> conv(input(8, 8, 32, 14, 14), input(9, 64, 32, 1, 1), 1, 0, 1));
        ops.put("conv2d-depthwise", () -> conv(input(8, 8, 16, 20, 20), input(9, 16, 1, 3, 3), 1, 1, 16));
        ops.put("conv2d-shifted", () -> {
            System.setProperty(ConvKernels.PATH_PROPERTY, "shifted");
            try {
                return conv(input(8, 4, 16, 24, 24), input(9, 16, 16, 3, 3), 1, 1, 1);
            } finally {
                System.clearProperty(ConvKernels.PATH_PROPERTY);
            }
        });
        ops.put("mlp-tanh-softmax", DeterminismProbe::train);
        return ops;
    }

    private static Tensor input(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).mul(3f);
    }

    private static float[] grad(Tensor x, java.util.function.UnaryOperator<Tensor> f) {
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor y = f.apply(leaf);
        y.mul(input(11, y.shape())).sum().backward();
        return cat(y, leaf.grad());
    }

    private static float[] attention(Tensor q, Tensor k, Tensor v) {
        Tensor ql = q.detach().requiresGrad(true);
        Tensor kl = k.detach().requiresGrad(true);
        Tensor vl = v.detach().requiresGrad(true);
        Tensor out = FusedAttention.compute(ql, kl, vl, 0.125f);
        out.mul(input(12, out.shape())).sum().backward();
        return cat(out, ql.grad(), kl.grad(), vl.grad());
    }

    private static float[] conv(Tensor img, Tensor w, int stride, int padding, int groups) {
        Tensor il = img.detach().requiresGrad(true);
        Tensor wl = w.detach().requiresGrad(true);
        Tensor out = il.conv2d(wl, null, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, groups);
        out.mul(input(13, out.shape())).sum().backward();
        return cat(out, il.grad(), wl.grad());
    }

    /** Twenty SGD steps of a 64-128-10 tanh MLP with a softmax cross-entropy: the final weights. */
    private static float[] train() {
        Generator g = new Generator(42);
        Tensor w1 = Tensor.randn(g, 64, 128).mul(0.2f).requiresGrad(true);
        Tensor w2 = Tensor.randn(g, 128, 10).mul(0.2f).requiresGrad(true);
        Tensor x = Tensor.randn(g, 256, 64);
        Tensor target = Tensor.rand(g, 256, 10).softmax(-1);
        for (int step = 0; step < 20; step++) {
            Tensor loss = x.matmul(w1).tanh().matmul(w2).logSoftmax(-1).mul(target).sum().div(-256f);
            loss.backward();
            try (var ng = Tensor.noGrad()) {
                w1.addInPlace(w1.grad(), -0.5f);
                w2.addInPlace(w2.grad(), -0.5f);
            }
            w1.zeroGrad();
            w2.zeroGrad();
        }
        return cat(w1, w2);
    }

    private static float[] cat(Tensor... ts) {
        List<Float> all = new ArrayList<>();
        for (Tensor t : ts) {
            for (float f : t.toFloatArray()) {
                all.add(f);
            }
        }
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    private static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** 64-bit FNV-1a over the raw bits. */
    static long hash(float[] a) {
        long h = 0xcbf29ce484222325L;
        for (float f : a) {
            h = (h ^ Float.floatToRawIntBits(f)) * 0x100000001b3L;
        }
        return h;
    }
}
