package dev.tessera.nn.train;

import dev.tessera.Device;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.data.Batch;
import dev.tessera.nn.data.DataLoader;
import dev.tessera.nn.metrics.Metric;
import dev.tessera.nn.optim.GradClip;
import dev.tessera.nn.optim.LrScheduler;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ReduceLROnPlateau;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the training loop: epochs of forward, loss, backward, optimizer step; metrics on training
 * and validation data; LR scheduling; callbacks; and checkpoints that let a killed run resume.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-3f), F::crossEntropy)
 *         .epochs(10).metrics(Metric.accuracy()).checkpointDir(Path.of("runs/mnist")).build();
 * History history = trainer.fit(trainLoader, valLoader);
 * }</pre>
 *
 * <p><b>Resuming.</b> With a checkpoint directory, the trainer writes the model, optimizer,
 * scheduler, callback and random-generator states with the epoch and step after every epoch (and
 * every {@code checkpointEverySteps} steps). {@link #fit} first looks for a checkpoint there and
 * continues from it: the data loader's shuffle order depends only on its seed and the epoch, and
 * the CPU kernels are deterministic, so a run that was killed and started again with the same
 * command ends with the same weights as one that was never interrupted. (After a mid-epoch resume
 * that epoch's training metrics cover only the batches run after the resume; its loss is exact.)
 * Temporary files left by a checkpoint write that was killed are deleted when {@link #fit} opens
 * the directory. Resuming checks that the checkpoint fits the model, the optimizer and the
 * schedulers before it changes any of them.
 *
 * <p><b>Memory.</b> Each training step and each evaluation or prediction batch runs in its own
 * {@link MemoryScope}: the tensors it creates are freed when it ends (at once on a GPU), while
 * parameters, gradients, buffers and optimizer state outlive it. Memory stays flat over any number
 * of steps without a {@code close()} in user code.
 *
 * <p><b>Host reads.</b> A training step copies nothing back to the host unless asked to. On a
 * device other than the CPU the epoch's loss is summed on the device (a 0-d tensor) and read back
 * only when the progress display draws a line ({@link #runningLoss()}), when a checkpoint is due
 * and at the end of the epoch (for the history's mean loss); gradient clipping and the losses and
 * layers of {@code dev.tessera.nn} read nothing either. What does read every step: {@link
 * NonFinitePolicy#SKIP}, a callback that overrides the {@code double} variant of {@link
 * Callback#onBatchEnd(Trainer, int, int, double, int)}, and metrics (they keep their counts on the
 * host). On the CPU, where a read is a plain memory access, the trainer reads each loss.
 *
 * <p><b>Non-finite losses.</b> By default a NaN or infinite loss stops training with a {@link
 * NonFiniteLossException} naming the epoch, the batch and the loss; with {@link
 * NonFinitePolicy#SKIP} the batch is skipped instead. Where each loss is read (see above) it is
 * checked before the backward pass; otherwise the first non-finite batch and its loss are tracked
 * on the device and checked at each read-back, so training may continue a few batches past it on a
 * GPU (see {@link NonFinitePolicy#STOP}). Before every checkpoint the loss and then the model's
 * weights and the optimizer's state are checked: non-finite values stop training with an
 * exception and the checkpoint is not written, so the last good one (and the one before it) stay
 * on disk.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Module model;
    private final Optimizer optimizer;
    private final LossFunction loss;
    private final int epochs;
    private final List<Metric> metrics;
    private final LrScheduler scheduler;
    private final boolean schedulerPerBatch;
    private final ReduceLROnPlateau plateau;
    private final String plateauMonitor;
    private final List<Callback> callbacks;
    private final Path checkpointDir;
    private final int checkpointEverySteps;
    private final float clipGradNorm;
    private final NonFinitePolicy nonFinitePolicy;
    /** Writes and restores checkpoints; null without a checkpoint directory. */
    private final TrainingState state;

    private volatile boolean stopRequested;
    private int batchesPerEpoch;
    private long skippedSteps;
    // The state of the current fit(), for runningLoss() and the step.
    private Progress current;
    private int currentEpoch;
    /** Whether each batch's loss is read back before its backward pass (see the class comment). */
    private boolean readEachStep;
    /** The epoch's loss on the device since the last read-back; null when each loss is read. */
    private LossTracker tracker;
    /** The last batch's loss for the tensor variant of onBatchEnd; null when no callback takes it. */
    private Tensor lastLoss;
    /** The callbacks that take the loss as a tensor, of those in {@link #callbacks}. */
    private List<Callback> tensorCallbacks = List.of();

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.epochs = b.epochs;
        this.metrics = List.copyOf(b.metrics);
        this.scheduler = b.scheduler;
        this.schedulerPerBatch = b.schedulerPerBatch;
        this.plateau = b.plateau;
        this.plateauMonitor = b.plateauMonitor;
        List<Callback> cbs = new ArrayList<>(b.callbacks);
        if (b.progress) {
            cbs.add(new ProgressBar());
        }
        this.callbacks = List.copyOf(cbs);
        this.checkpointDir = b.checkpointDir;
        this.checkpointEverySteps = b.checkpointEverySteps;
        this.clipGradNorm = b.clipGradNorm;
        this.nonFinitePolicy = b.nonFinitePolicy;
        this.state = checkpointDir == null ? null
                : new TrainingState(this, scheduler, plateau, callbacks, checkpointDir);
    }

    /** Starts configuring a trainer for {@code model}, updated by {@code optimizer} to minimise {@code loss}. */
    public static Builder builder(Module model, Optimizer optimizer, LossFunction loss) {
        return new Builder(model, optimizer, loss);
    }

    /** Returns the model being trained. */
    public Module model() {
        return model;
    }

    /** Returns the optimizer. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Returns the number of epochs {@link #fit} runs. */
    public int epochs() {
        return epochs;
    }

    /** Returns the number of batches per training epoch of the current {@link #fit}. */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /**
     * Returns how many batches the current (or last) {@link #fit} skipped because their loss was not
     * finite, under {@link NonFinitePolicy#SKIP}; batches skipped before a resume are not counted.
     */
    public long skippedSteps() {
        return skippedSteps;
    }

    /**
     * Deletes this trainer's checkpoints, the leftovers of interrupted checkpoint writes and then
     * the checkpoint directory itself if nothing else is in it (a finished run's clean-up; other
     * files are left alone and logged). Does nothing without a checkpoint directory.
     *
     * @return whether the checkpoint directory no longer exists
     * @throws UncheckedIOException if a file cannot be deleted
     */
    public boolean deleteCheckpoints() {
        if (checkpointDir == null) {
            return true;
        }
        try {
            return Checkpoint.delete(checkpointDir);
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: could not delete the checkpoints in " + checkpointDir + ": " + e, e);
        }
    }

    /**
     * Returns the mean training loss over the examples of the current epoch so far (after a resume,
     * including those run before it), or NaN before the first batch or outside {@link #fit}. Call it
     * from a callback on the training thread. On a device other than the CPU this reads the loss
     * back from the device, a host synchronisation, and checks the losses since the last read-back.
     *
     * @throws NonFiniteLossException under {@link NonFinitePolicy#STOP} if that check finds a batch
     *                                whose loss was not finite (training then stops)
     */
    public double runningLoss() {
        Progress p = current;
        if (p == null) {
            return Double.NaN;
        }
        readLoss();
        return p.lossCount == 0 ? Double.NaN : p.lossSum / p.lossCount;
    }

    /**
     * Brings the loss kept on the device into the progress (one read-back) and stops with a {@link
     * NonFiniteLossException} if a batch since the last one was not finite; does nothing when each
     * loss is read anyway.
     */
    private void readLoss() {
        if (tracker == null) {
            return;
        }
        LossTracker.Reading r = tracker.read();
        if (r.firstNonFinite() >= 0) {
            throw new NonFiniteLossException(currentEpoch, r.firstNonFinite(), r.firstNonFiniteLoss(), r.lastBatch());
        }
        current.lossSum += r.sum();
    }

    /** Whether {@code c} overrides the {@code onBatchEnd} variant whose loss parameter has type {@code lossType}. */
    private static boolean overridesOnBatchEnd(Callback c, Class<?> lossType) {
        try {
            return c.getClass().getMethod("onBatchEnd", Trainer.class, int.class, int.class, lossType, int.class)
                    .getDeclaringClass() != Callback.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("Trainer: Callback.onBatchEnd is missing", e);
        }
    }

    /** Asks {@link #fit} to stop after the current batch (from a callback or another thread). */
    public void requestStop() {
        stopRequested = true;
    }

    private Device device() {
        List<Tensor> params = model.parameters();
        return params.isEmpty() ? Device.cpu() : params.get(0).device();
    }

    /**
     * Trains for the configured epochs, resuming from the checkpoint directory if it holds a
     * checkpoint; returns the per-epoch history (including epochs restored from the checkpoint).
     *
     * @param train      the training batches (shuffled as the loader says)
     * @param validation the validation batches, or null
     * @throws UncheckedIOException if a checkpoint cannot be read or written
     * @throws IllegalArgumentException if the checkpoint does not fit the model, optimizer or schedulers
     * @throws NonFiniteLossException if a loss is not finite under {@link NonFinitePolicy#STOP}
     * @throws IllegalStateException if the weights or optimizer state are not finite when a checkpoint is due
     */
    public History fit(DataLoader train, DataLoader validation) {
        stopRequested = false;
        skippedSteps = 0;
        batchesPerEpoch = train.numBatches();
        Progress p = state == null ? new Progress() : state.restore();
        Device device = device();
        List<Callback> valueCallbacks = new ArrayList<>();
        List<Callback> tensorTakers = new ArrayList<>();
        for (Callback c : callbacks) {
            if (overridesOnBatchEnd(c, Tensor.class)) {
                tensorTakers.add(c);
            } else if (overridesOnBatchEnd(c, double.class)) {
                valueCallbacks.add(c);
            }
        }
        current = p;
        tensorCallbacks = List.copyOf(tensorTakers);
        readEachStep = device.equals(Device.cpu()) || nonFinitePolicy == NonFinitePolicy.SKIP || !valueCallbacks.isEmpty();
        tracker = readEachStep ? null : new LossTracker(device);
        lastLoss = tensorCallbacks.isEmpty() ? null : Tensor.scalar(device, 0f);
        try {
            return run(train, validation, p, device);
        } finally {
            current = null;
            tracker = null;
            lastLoss = null;
            tensorCallbacks = List.of();
        }
    }

    /** The body of {@link #fit}, with its state set up. */
    private History run(DataLoader train, DataLoader validation, Progress p, Device device) {
        for (Callback c : callbacks) {
            c.onTrainBegin(this);
        }
        for (int epoch = p.epoch; epoch < epochs && !stopRequested; epoch++) {
            model.train();
            for (Metric m : metrics) {
                m.reset();
            }
            currentEpoch = epoch;
            if (tracker != null) {
                tracker.restart();
            }
            for (Callback c : callbacks) {
                c.onEpochBegin(this, epoch);
            }
            Iterator<Batch> batches = train.iterator(epoch, p.batch);
            int b = p.batch;
            while (batches.hasNext() && !stopRequested) {
                Batch batch = batches.next();
                int n = batch.size();
                double value;
                // Every tensor of the step is freed when it ends; parameters, gradients, optimizer state
                // and the loss kept on the device outlive it.
                try (MemoryScope scope = MemoryScope.open()) {
                    value = step(batch, device, b, n);
                }
                if (readEachStep && !Double.isFinite(value)) {
                    if (nonFinitePolicy == NonFinitePolicy.STOP) {
                        throw new NonFiniteLossException(epoch, b, value);
                    }
                    p.skipped++;
                    skippedSteps++;
                    b++;
                    continue;
                }
                if (readEachStep) {
                    p.lossSum += value * n;
                }
                p.lossCount += n;
                p.globalStep++;
                b++;
                for (Callback c : callbacks) {
                    if (tensorCallbacks.contains(c)) {
                        c.onBatchEnd(this, epoch, b - 1, lastLoss, n);
                    } else {
                        c.onBatchEnd(this, epoch, b - 1, value, n); // overridden only where readEachStep holds
                    }
                }
                if (checkpointDir != null && checkpointEverySteps > 0 && p.globalStep % checkpointEverySteps == 0
                        && b < batchesPerEpoch) {
                    readLoss();
                    p.epoch = epoch;
                    p.batch = b;
                    state.save(p);
                }
            }
            readLoss(); // the epoch's one read-back of the loss (also when stopped early)
            if (stopRequested && b < batchesPerEpoch) {
                break; // an unfinished epoch is not logged
            }
            if (p.skipped > 0) {
                LOG.warn("Epoch {}: skipped {} of {} batches whose loss was NaN or infinite", epoch + 1, p.skipped,
                        batchesPerEpoch);
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", p.lossCount == 0 ? Double.NaN : p.lossSum / p.lossCount);
            for (Metric m : metrics) {
                logs.put(m.name(), m.compute());
            }
            if (validation != null) {
                evaluate(validation).forEach((k, v) -> logs.put("val_" + k, v));
            }
            logs.put("lr", (double) optimizer.lr());
            p.history.add(logs);
            if (scheduler != null && !schedulerPerBatch) {
                scheduler.step();
            }
            if (plateau != null) {
                Double monitored = logs.get(plateauMonitor);
                if (monitored == null) {
                    throw new IllegalStateException("Trainer: ReduceLROnPlateau monitors '" + plateauMonitor
                            + "' but the logs only have " + logs.keySet());
                }
                plateau.step(monitored.floatValue());
            }
            for (Callback c : callbacks) {
                c.onEpochEnd(this, epoch, logs);
            }
            p.epoch = epoch + 1;
            p.batch = 0;
            p.lossSum = 0;
            p.lossCount = 0;
            p.skipped = 0;
            if (checkpointDir != null) {
                state.save(p);
            }
        }
        for (Callback c : callbacks) {
            c.onTrainEnd(this, p.history);
        }
        return p.history;
    }

    /**
     * One optimizer step on batch {@code b} of {@code n} examples. When each loss is read, returns
     * it, and returns a loss that is not finite before the backward pass: nothing is changed then.
     * Otherwise adds the loss to the device-side tracker, reads nothing back and returns NaN.
     */
    private double step(Batch batch, Device device, int b, int n) {
        Tensor x = batch.features().to(device);
        Tensor y = batch.targets().to(device);
        Tensor out = model.forward(x);
        Tensor l = loss.compute(out, y);
        double value = Double.NaN;
        if (readEachStep) {
            // Read before the step, so that a non-finite loss never reaches the weights.
            value = l.item();
            if (!Double.isFinite(value)) {
                return value;
            }
        } else {
            tracker.add(l, b, n);
        }
        optimizer.zeroGrad(false); // gradients reuse their buffers: nothing allocated per step
        l.backward();
        if (clipGradNorm > 0) {
            GradClip.clipGradNormTensor(optimizer.parameters(), clipGradNorm); // no read-back
        }
        optimizer.step();
        if (scheduler != null && schedulerPerBatch) {
            scheduler.step();
        }
        Tensor detached = out.detach();
        for (Metric m : metrics) {
            m.update(detached, y);
        }
        if (lastLoss != null) {
            try (var ng = Tensor.noGrad()) {
                lastLoss.copyFrom(l.detach());
            }
        }
        return value;
    }

    /**
     * Returns the mean loss ({@code "loss"}) and each metric over {@code loader}, computed in eval
     * mode without recording gradients; the model's mode is restored afterwards. The loss is summed
     * on the device and read back once, at the end.
     */
    public Map<String, Double> evaluate(DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Device device = device();
        // The configured metric objects are reused: fit() reads their training values before calling this.
        List<Metric> fresh = metrics;
        for (Metric m : fresh) {
            m.reset();
        }
        DeviceSum sum = new DeviceSum(device);
        long count = 0;
        try (var ng = Tensor.noGrad()) {
            Iterator<Batch> it = loader.iterator(0, 0);
            while (it.hasNext()) {
                Batch b = it.next();
                try (MemoryScope scope = MemoryScope.open()) {
                    Tensor y = b.targets().to(device);
                    Tensor out = model.forward(b.features().to(device));
                    sum.add(loss.compute(out, y), b.size());
                    count += b.size();
                    for (Metric m : fresh) {
                        m.update(out, y); // metrics keep their state on the host
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        Map<String, Double> result = new LinkedHashMap<>();
        result.put("loss", count == 0 ? Double.NaN : sum.readAndReset() / count);
        for (Metric m : fresh) {
            result.put(m.name(), m.compute());
        }
        for (Metric m : fresh) {
            m.reset();
        }
        return result;
    }

    /** Returns the model's outputs for every batch of {@code loader}, concatenated along dimension 0 (eval mode, no grad). */
    public Tensor predict(DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Device device = device();
        List<Tensor> outputs = new ArrayList<>();
        try (var ng = Tensor.noGrad()) {
            Iterator<Batch> it = loader.iterator(0, 0);
            while (it.hasNext()) {
                Batch b = it.next();
                try (MemoryScope scope = MemoryScope.open()) {
                    outputs.add(scope.keep(model.forward(b.features().to(device))));
                }
            }
        } finally {
            model.train(wasTraining);
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("predict: the loader has no batches");
        }
        return Tensor.cat(outputs, 0);
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private final LossFunction loss;
        private int epochs = 1;
        private final List<Metric> metrics = new ArrayList<>();
        private LrScheduler scheduler;
        private boolean schedulerPerBatch;
        private ReduceLROnPlateau plateau;
        private String plateauMonitor;
        private final List<Callback> callbacks = new ArrayList<>();
        private Path checkpointDir;
        private int checkpointEverySteps;
        private float clipGradNorm;
        private boolean progress = true;
        private NonFinitePolicy nonFinitePolicy = NonFinitePolicy.STOP;

        private Builder(Module model, Optimizer optimizer, LossFunction loss) {
            if (model == null || optimizer == null || loss == null) {
                throw new IllegalArgumentException("Trainer: model, optimizer and loss are required");
            }
            this.model = model;
            this.optimizer = optimizer;
            this.loss = loss;
        }

        /** Sets the number of epochs (default 1); returns this builder. */
        public Builder epochs(int epochs) {
            if (epochs < 1) {
                throw new IllegalArgumentException("Trainer: epochs must be >= 1, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /** Adds metrics computed on training and validation data each epoch; returns this builder. */
        public Builder metrics(Metric... added) {
            metrics.addAll(List.of(added));
            return this;
        }

        /** Steps {@code s} after every epoch; returns this builder. */
        public Builder scheduler(LrScheduler s) {
            this.scheduler = s;
            this.schedulerPerBatch = false;
            return this;
        }

        /** Steps {@code s} after every optimizer step (warm-up, one-cycle schedules); returns this builder. */
        public Builder schedulerPerBatch(LrScheduler s) {
            this.scheduler = s;
            this.schedulerPerBatch = true;
            return this;
        }

        /** Steps {@code p} after every epoch with the logged value {@code monitor} (e.g. {@code "val_loss"}); returns this builder. */
        public Builder reduceLrOnPlateau(ReduceLROnPlateau p, String monitor) {
            this.plateau = p;
            this.plateauMonitor = monitor;
            return this;
        }

        /** Adds callbacks, called in the order added; returns this builder. */
        public Builder callbacks(Callback... added) {
            callbacks.addAll(List.of(added));
            return this;
        }

        /**
         * Writes checkpoints to {@code dir} (created when the first one is written) after every epoch
         * and resumes from it; returns this builder. {@link #build()} checks that it can be used.
         */
        public Builder checkpointDir(Path dir) {
            this.checkpointDir = dir;
            return this;
        }

        /** Also checkpoints every {@code steps} optimizer steps (0: only at epoch ends); returns this builder. */
        public Builder checkpointEverySteps(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("Trainer: checkpointEverySteps must be >= 0, got " + steps);
            }
            this.checkpointEverySteps = steps;
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} before each step (0: off); returns this builder. */
        public Builder clipGradNorm(float maxNorm) {
            if (maxNorm < 0) {
                throw new IllegalArgumentException("Trainer: clipGradNorm must be >= 0, got " + maxNorm);
            }
            this.clipGradNorm = maxNorm;
            return this;
        }

        /**
         * Sets what happens when a batch's loss is NaN or infinite (default {@link
         * NonFinitePolicy#STOP}); returns this builder.
         */
        public Builder nonFinitePolicy(NonFinitePolicy policy) {
            if (policy == null) {
                throw new IllegalArgumentException("Trainer: nonFinitePolicy must not be null");
            }
            this.nonFinitePolicy = policy;
            return this;
        }

        /** Turns the progress display on (default) or off; returns this builder. */
        public Builder progress(boolean on) {
            this.progress = on;
            return this;
        }

        /**
         * Returns the configured trainer.
         *
         * @throws IllegalArgumentException if the checkpoint directory is a file, or cannot be
         *                                  written or created (the message names it and says why)
         */
        public Trainer build() {
            if (checkpointDir != null) {
                Checkpoint.checkDirectory(checkpointDir);
            }
            return new Trainer(this);
        }
    }
}
