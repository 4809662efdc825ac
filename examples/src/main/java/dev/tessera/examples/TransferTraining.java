package dev.tessera.examples;

import dev.tessera.Generator;
import dev.tessera.Tensor;
import dev.tessera.nn.F;
import dev.tessera.nn.Identity;
import dev.tessera.nn.Module;
import dev.tessera.nn.Sequential;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.data.Dataset;
import dev.tessera.nn.data.TensorDataset;
import dev.tessera.nn.optim.Adam;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.train.Callback;
import dev.tessera.nn.train.Trainer;
import dev.tessera.nn.transfer.FeatureExtractor;
import dev.tessera.nn.transfer.FineTuning;
import dev.tessera.nn.transfer.FrozenBatchNormEval;
import dev.tessera.nn.transfer.GradualUnfreezing;
import dev.tessera.nn.transfer.Heads;
import dev.tessera.nn.transfer.LoadOptions;
import dev.tessera.nn.transfer.Pretrained;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The five ways the transfer examples learn a new task with a {@link SmallCnn}: from scratch, or
 * starting from pretrained weights as frozen features with a new head, partial fine-tuning, full
 * fine-tuning or gradual unfreezing. Every approach gets the same epochs, batches and head
 * initialisation (the model is built from the same seed), so only the use of the pretrained
 * weights differs.
 */
final class TransferTraining {
    /** Examples per training batch, every approach. */
    static final int BATCH = 32;

    private TransferTraining() {
    }

    /** The ways of training on the new task, with their table and chart labels. */
    enum Approach {
        SCRATCH("(a) from scratch", "(a) scratch"),
        FROZEN_FEATURES("(b) frozen features + linear head", "(b) frozen"),
        PARTIAL("(c) partial fine-tuning", "(c) partial FT"),
        FULL("(d) full fine-tuning", "(d) full FT"),
        GRADUAL("(e) gradual unfreezing", "(e) gradual");

        final String title;
        final String label;

        Approach(String title, String label) {
            this.title = title;
            this.label = label;
        }

        /** The short label of the approach whose title is {@code title}, or {@code title} itself if none has it. */
        static String label(String title) {
            for (Approach a : values()) {
                if (a.title.equals(title)) {
                    return a.label;
                }
            }
            return title;
        }
    }

    /**
     * A trained model.
     *
     * @param model     the model to evaluate (for frozen features: the frozen backbone followed by the new head)
     * @param seconds    wall-clock training time, including loading the weights and extracting features
     * @param cpuSeconds CPU time of the whole JVM (every thread) over the same span: less inflated
     *                   than {@code seconds} by other programs running on the machine
     * @param trainable  parameters trained (by the end of training, for gradual unfreezing)
     */
    record Trained(Module model, double seconds, double cpuSeconds, long trainable) {
    }

    /** The CPU time the JVM has used so far, all threads, in nanoseconds ({@code -1} where the platform does not say). */
    static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** The options that load everything but the old head. */
    static LoadOptions loadOptions() {
        return LoadOptions.builder().exclude("fc").build();
    }

    /**
     * Trains a new {@link SmallCnn} with {@code classes} outputs, initialised from {@code seed}, on
     * {@code train} with {@code approach} for {@code epochs} epochs (batches of {@link #BATCH}
     * shuffled with {@code seed}); every approach but {@link Approach#SCRATCH} first loads the
     * pretrained {@code weights} except their head. Reads {@code weights}; returns the trained
     * model, the training time and the number of trained parameters.
     */
    static Trained train(Approach approach, Dataset train, int classes, Path weights, int epochs, long seed)
            throws IOException {
        long t0 = System.nanoTime();
        long cpu0 = cpuNanos();
        SmallCnn model = new SmallCnn(classes, new Generator(seed));
        if (approach != Approach.SCRATCH) {
            Pretrained.load(model, weights, loadOptions());
        }
        Module evaluated = model;
        long trainable;
        DataLoader loader = new DataLoader(train, BATCH, true, seed);
        switch (approach) {
            case SCRATCH -> {
                trainable = model.parameterCount();
                fit(model, new Adam(model.parameters(), 1e-3f), loader, epochs);
            }
            case FROZEN_FEATURES -> {
                Module head = Heads.replace(model, "fc", new Identity()); // the new head, initialised as in the others
                Module backbone = model.freeze();                          // now outputs the 64 features
                TensorDataset features = FeatureExtractor.extract(backbone, train, 256);
                trainable = head.parameterCount();
                fit(head, new Adam(head.parameters(), 1e-2f), new DataLoader(features, BATCH, true, seed), epochs);
                evaluated = new Sequential(backbone, head);
            }
            case PARTIAL -> {
                FineTuning.freezeUpTo(model, "block1");
                trainable = count(FineTuning.trainableParameters(model));
                fit(model, discriminative(model), loader, epochs, new FrozenBatchNormEval(model));
            }
            case FULL -> {
                trainable = model.parameterCount();
                fit(model, discriminative(model), loader, epochs);
            }
            case GRADUAL -> {
                trainable = model.parameterCount(); // by the end
                FineTuning.trainOnlyTop(model, 1);
                GradualUnfreezing unfreezing = GradualUnfreezing.builder(model).every(Math.max(1, epochs / 5)).lr(3e-4f)
                        .build();
                fit(model, new Adam(FineTuning.trainableParameters(model), 1e-3f), loader, epochs, unfreezing,
                        new FrozenBatchNormEval(model));
            }
            default -> throw new IllegalStateException("unknown approach " + approach);
        }
        return new Trained(evaluated, (System.nanoTime() - t0) / 1e9, (cpuNanos() - cpu0) / 1e9, trainable);
    }

    /**
     * Trains a new {@link SmallCnn} with {@code classes} outputs, initialised from {@code seed}, on
     * {@code train} (Adam at 1e-3, batches of 64 shuffled with {@code seed}) for {@code epochs}
     * epochs and saves it to {@code weights} (overwritten); returns the trained model.
     */
    static SmallCnn pretrain(Dataset train, int classes, int epochs, long seed, Path weights) throws IOException {
        SmallCnn model = new SmallCnn(classes, new Generator(seed));
        fit(model, new Adam(model.parameters(), 1e-3f), new DataLoader(train, 64, true, seed), epochs);
        Pretrained.save(model, weights);
        return model;
    }

    private static long count(List<Tensor> params) {
        return params.stream().mapToLong(Tensor::numel).sum();
    }

    /** Adam over the trainable parameters: the new head at 1e-3, the pretrained layers at 3e-4. */
    static Optimizer discriminative(Module model) {
        Map<String, Float> lrs = new LinkedHashMap<>();
        lrs.put("fc", 1e-3f);
        lrs.put("**", 3e-4f);
        return new Adam(FineTuning.paramGroups(model, lrs), new Adam.Options());
    }

    /** Trains {@code model} with {@code opt} on {@code loader} for {@code epochs} epochs, quietly. */
    static void fit(Module model, Optimizer opt, DataLoader loader, int epochs, Callback... callbacks) {
        Trainer.builder(model, opt, F::crossEntropy).epochs(epochs).progress(false).callbacks(callbacks).build()
                .fit(loader, null);
    }

    /**
     * Returns the fraction of {@code data} that {@code model} classifies correctly; switches the
     * model to eval mode and runs it without gradients, in batches of 500.
     */
    static double accuracy(Module model, Dataset data) {
        model.eval();
        int correct = 0;
        try (var ng = Tensor.noGrad()) {
            for (int from = 0; from < data.size(); from += 500) {
                int[] idx = new int[Math.min(500, data.size() - from)];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = from + i;
                }
                var batch = data.get(idx);
                int[] predicted = model.forward(batch.features()).argmax(1).toIntArray();
                int[] labels = batch.targets().toIntArray();
                for (int i = 0; i < labels.length; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
            }
        }
        return (double) correct / data.size();
    }
}
