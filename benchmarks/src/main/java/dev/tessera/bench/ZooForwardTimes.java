package dev.tessera.bench;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.cpu.CpuPool;
import dev.tessera.nn.Module;
import dev.tessera.nn.models.EfficientNet;
import dev.tessera.nn.models.Inception;
import dev.tessera.nn.models.MobileNet;
import dev.tessera.nn.models.ResNet;
import dev.tessera.nn.models.Vgg;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The model zoo's size and speed: for each torchvision-compatible model built with 1000 classes,
 * its parameter count and its eval-mode forward time (no gradients) on its documented input size
 * (224x224, Inception 299x299) at batch 1 and batch 32, on the CPU backend.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -Xmx12g -cp <benchmarks classpath>
 * dev.tessera.bench.ZooForwardTimes [model ...]} (names: resnet18 resnet50 resnet101 resnet152
 * vgg16 vgg16_bn inception_v3 mobilenet_v2 efficientnet_b0; default all). Batch 1 is timed as the
 * median of 5 runs after 2 warm-up runs, batch 32 as the median of 3 runs after 1 warm-up run.
 * The pool size is {@code -Dtessera.threads} (default: every core). Prints one line per model.
 */
public final class ZooForwardTimes {
    private ZooForwardTimes() {
    }

    private static Map<String, Supplier<Module>> models() {
        Map<String, Supplier<Module>> m = new LinkedHashMap<>();
        m.put("resnet18", () -> ResNet.resnet18(1000));
        m.put("resnet50", () -> ResNet.resnet50(1000));
        m.put("resnet101", () -> ResNet.resnet101(1000));
        m.put("resnet152", () -> ResNet.resnet152(1000));
        m.put("vgg16", () -> Vgg.vgg16(1000));
        m.put("vgg16_bn", () -> Vgg.vgg16Bn(1000));
        m.put("inception_v3", () -> Inception.inceptionV3(1000, true));
        m.put("mobilenet_v2", () -> MobileNet.mobilenetV2(1000));
        m.put("efficientnet_b0", () -> EfficientNet.efficientnetB0(1000));
        return m;
    }

    /**
     * Times the models named in {@code args} (all by default) and prints their parameter counts and times.
     *
     * @throws IllegalArgumentException for an unknown model name
     */
    public static void main(String[] args) {
        Map<String, Supplier<Module>> all = models();
        List<String> names = args.length == 0 ? new ArrayList<>(all.keySet()) : Arrays.asList(args);
        System.out.printf(Locale.ROOT, "# threads=%d java=%s%n", CpuPool.parallelism(), System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "# %-16s %12s %6s %12s %12s %14s%n", "model", "parameters", "input", "batch1_ms",
                "batch32_ms", "batch32_img/s");
        for (String name : names) {
            Supplier<Module> make = all.get(name);
            if (make == null) {
                throw new IllegalArgumentException("ZooForwardTimes: unknown model '" + name + "'; known: " + all.keySet());
            }
            Module model = make.get();
            model.eval();
            int size = name.startsWith("inception") ? 299 : 224;
            double one = time(model, 1, size, 2, 5);
            double many = time(model, 32, size, 1, 3);
            System.out.printf(Locale.ROOT, "  %-16s %,12d %6d %12.1f %12.1f %14.1f%n", name, model.parameterCount(), size,
                    one * 1e3, many * 1e3, 32 / many);
        }
    }

    /** The median seconds of {@code runs} eval forwards of a {@code [batch, 3, size, size]} input after {@code warmup}. */
    private static double time(Module model, int batch, int size, int warmup, int runs) {
        Tensor x = Tensor.randn(new Generator(batch), batch, 3, size, size);
        double[] t = new double[runs];
        try (var ng = Tensor.noGrad()) {
            for (int i = 0; i < warmup + runs; i++) {
                long t0 = System.nanoTime();
                float sink = model.forward(x).sum().item();
                long t1 = System.nanoTime();
                if (!Float.isFinite(sink)) {
                    throw new IllegalStateException("ZooForwardTimes: non-finite logits");
                }
                if (i >= warmup) {
                    t[i - warmup] = (t1 - t0) / 1e9;
                }
            }
        }
        Arrays.sort(t);
        return t[runs / 2];
    }
}
