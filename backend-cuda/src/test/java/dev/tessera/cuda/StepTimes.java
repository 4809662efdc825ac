package dev.tessera.cuda;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.Generator;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ReLU;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.TransformerActivation;
import dev.tessera.nn.TransformerEncoderLayer;
import dev.tessera.nn.models.LeNet;
import dev.tessera.nn.models.ResNet;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.SGD;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The timed half of {@code backend-cuda/gpu-check.sh}: training steps (forward, loss, backward,
 * optimizer step, the loss read back) of an MLP 784-256-128-10, LeNet-5 and ResNet-18 (3x64x64)
 * at batch 64 and a Transformer encoder layer, on {@code cuda:0} and on the CPU, each model with the
 * same weights and batch on both, and ResNet-18 at 3x224x224 on the GPU alone; prints and appends
 * to a results file the median milliseconds per step. Timings stop once {@code
 * tessera.steps.budgetSeconds} (default 120) have passed. Where cuda:0 cannot be used it says why
 * and times nothing, unless {@code -Dtessera.steps.devices=cpu} asks for the CPU alone (to rehearse
 * the script on a machine without a GPU, with {@code -Dtessera.steps.small=true} for small inputs).
 *
 * <p>Usage: {@code StepTimes <results-file>}.
 */
public final class StepTimes {
    private static final boolean SMALL = Boolean.getBoolean("tessera.steps.small");

    private StepTimes() {
    }

    /**
     * One model to time: how to build it (from a seed), its optimizer, a batch and a loss; the CPU's
     * untimed and timed steps (0 timed: the CPU is not timed, it would take minutes).
     */
    private record Case(String name, Function<Long, Module> make, Function<Module, Optimizer> optimizer,
                        Supplier<Tensor[]> batch, BiFunction<Tensor, Tensor, Tensor> loss, int cpuWarmup, int cpuSteps) {
    }

    /** Runs the timings (see the class comment). */
    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "step-times.txt");
        Device gpu = Device.cuda(0);
        List<Device> devices = new ArrayList<>();
        if (!"cpu".equals(System.getProperty("tessera.steps.devices"))) {
            DeviceInfo info = Device.available().stream().filter(d -> d.device().equals(gpu)).findFirst().orElse(null);
            if (info == null || !info.usable()) {
                String why = "timed steps skipped: " + gpu + " cannot be used here: " + (info == null
                        ? "no CUDA backend on the class path" : info.detail());
                System.out.println(why);
                append(results, List.of(why));
                return;
            }
            System.out.println("timing on " + info);
            devices.add(gpu);
        }
        devices.add(Device.cpu());
        int image = SMALL ? 32 : 64;
        int seq = SMALL ? 16 : 128;
        int batch = SMALL ? 8 : 64;
        List<Case> cases = new ArrayList<>(List.of(
                new Case("MLP 784-256-128-10, batch " + batch, seed -> new Sequential(new Linear(784, 256, true,
                        new Generator(seed)), new ReLU(), new Linear(256, 128, true, new Generator(seed + 1)), new ReLU(),
                        new Linear(128, 10, true, new Generator(seed + 2))), m -> new SGD(m.parameters(), 0.01f, 0.9f),
                        () -> images(batch, 784), F::crossEntropy, 10, 20),
                new Case("LeNet-5 1x28x28, batch " + batch, seed -> new LeNet(10), m -> new SGD(m.parameters(), 0.01f, 0.9f),
                        () -> images(batch, 1, 28, 28), F::crossEntropy, 3, 10),
                resnet(batch, image, 1, 2),
                new Case("Transformer encoder layer d512 h8 ff2048, seq " + seq + " x batch " + (batch / 2),
                        seed -> new TransformerEncoderLayer(512, 8, 2048, 0.1, TransformerActivation.RELU, 1e-5, false,
                                false, new Generator(seed)), m -> new Adam(m.parameters(), 1e-4f),
                        () -> sequences(seq, batch / 2, 512), F::mseLoss, 1, 3)));
        if (!SMALL) {
            cases.add(resnet(batch, 224, 0, 0)); // the usual ImageNet size: GPU only
        }
        long budget = (long) (Double.parseDouble(System.getProperty("tessera.steps.budgetSeconds", "120")) * 1e9);
        long start = System.nanoTime();
        for (Case c : cases) {
            StringBuilder line = new StringBuilder(c.name()).append(':');
            double first = 0;
            for (Device d : devices) {
                boolean isCpu = d.equals(Device.cpu());
                if (isCpu && c.cpuSteps() == 0) {
                    line.append(" cpu not timed (minutes per step)");
                    continue;
                }
                if (System.nanoTime() - start > budget) {
                    line.append(" ").append(d).append(" not timed (the check's time budget is spent)");
                    continue;
                }
                int warmup = isCpu ? c.cpuWarmup() : 5;
                int steps = isCpu ? c.cpuSteps() : 20;
                double ms = time(c, d, warmup, steps);
                line.append(String.format(Locale.ROOT, " %s %.2f ms/step (median of %d)", d, ms, steps));
                if (first == 0) {
                    first = ms;
                } else {
                    line.append(String.format(Locale.ROOT, ", %s/%s = %.1fx", d, devices.get(0), ms / first));
                }
            }
            System.out.println(line);
            append(results, List.of(line.toString())); // line by line: a timeout keeps what was measured
        }
    }

    private static Case resnet(int batch, int image, int cpuWarmup, int cpuSteps) {
        return new Case("ResNet-18 3x" + image + "x" + image + ", batch " + batch, seed -> ResNet.resnet18(10),
                m -> new SGD(m.parameters(), 0.01f, 0.9f), () -> images(batch, 3, image, image), F::crossEntropy, cpuWarmup,
                cpuSteps);
    }

    /** Median wall time of {@code steps} training steps of {@code c} on {@code d} after {@code warmup} untimed ones. */
    private static double time(Case c, Device d, int warmup, int steps) {
        Module model = c.make().apply(5L).to(d);
        model.train();
        Optimizer opt = c.optimizer().apply(model);
        Tensor[] xy = c.batch().get();
        Tensor x = xy[0].to(d);
        Tensor y = xy[1].to(d);
        double[] ms = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            long start = System.nanoTime();
            try (MemoryScope scope = MemoryScope.open()) {
                opt.zeroGrad();
                Tensor loss = c.loss().apply(model.forward(x), y);
                loss.backward();
                opt.step();
                float v = loss.item(); // waits for the device
                if (Float.isNaN(v)) {
                    throw new IllegalStateException(c.name() + " on " + d + ": the loss is NaN at step " + i);
                }
            }
            if (i >= warmup) {
                ms[i - warmup] = (System.nanoTime() - start) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[steps / 2];
    }

    private static Tensor[] images(int batch, int... shape) {
        Generator g = new Generator(3);
        int[] full = new int[shape.length + 1];
        full[0] = batch;
        System.arraycopy(shape, 0, full, 1, shape.length);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = (i * 7) % 10;
        }
        return new Tensor[] {Tensor.randn(g, full), Tensor.ofInts(labels, batch)};
    }

    private static Tensor[] sequences(int seq, int batch, int dim) {
        Generator g = new Generator(4);
        return new Tensor[] {Tensor.randn(g, seq, batch, dim), Tensor.randn(g, seq, batch, dim)};
    }

    private static void append(Path results, List<String> lines) throws IOException {
        Files.write(results, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
