package dev.tessera.nn.train;

import dev.tessera.Shape;
import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import dev.tessera.nn.Stochastic;
import dev.tessera.nn.optim.LrScheduler;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.OptimizerState;
import dev.tessera.nn.optim.ReduceLROnPlateau;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves a {@link Trainer}'s state (model, optimizer, schedulers, callbacks, generators, {@link
 * Progress}) as a {@link Checkpoint} and restores it: the weights are checked to be finite before
 * a write, and a checkpoint is checked against every part before any part is changed.
 */
final class TrainingState {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Trainer trainer;
    private final Module model;
    private final Optimizer optimizer;
    private final LrScheduler scheduler;
    private final ReduceLROnPlateau plateau;
    private final List<Callback> callbacks;
    private final Path dir;

    TrainingState(Trainer trainer, LrScheduler scheduler, ReduceLROnPlateau plateau, List<Callback> callbacks, Path dir) {
        this.trainer = trainer;
        this.model = trainer.model();
        this.optimizer = trainer.optimizer();
        this.scheduler = scheduler;
        this.plateau = plateau;
        this.callbacks = callbacks;
        this.dir = dir;
    }

    /**
     * Writes a checkpoint of the current state and {@code p} to the directory.
     *
     * @throws IllegalStateException if a weight or optimizer buffer is not finite (nothing is written then)
     * @throws UncheckedIOException  if the checkpoint cannot be written
     */
    void save(Progress p) {
        Checkpoint c = new Checkpoint();
        c.putTensors("model", model.stateDict());
        OptimizerState opt = optimizer.stateDict();
        c.putTensors("optimizer", opt.tensors());
        c.putNumbers("optimizer", opt.scalars());
        if (scheduler != null) {
            c.putNumbers("scheduler", scheduler.stateDict());
        }
        if (plateau != null) {
            c.putNumbers("plateau", plateau.stateDict());
        }
        for (int i = 0; i < callbacks.size(); i++) {
            c.putNumbers("callback." + i, callbacks.get(i).stateDict());
        }
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Stochastic s) {
                c.put("rng." + name, s.generator().state());
            }
        });
        c.put("epoch", p.epoch);
        c.put("batch", p.batch);
        c.put("globalStep", p.globalStep);
        c.put("lossSum", p.lossSum);
        c.put("lossCount", p.lossCount);
        c.put("skipped", p.skipped);
        List<Map<String, Double>> epochs = p.history.epochs();
        for (int i = 0; i < epochs.size(); i++) {
            c.putNumbers("history." + i, epochs.get(i));
        }
        String bad = c.firstNonFinite();
        if (bad != null) {
            throw new IllegalStateException("Trainer: '" + bad + "' holds NaN or infinite values at epoch " + p.epoch
                    + ", batch " + p.batch + " (counted from 0; step " + p.globalStep + "); the checkpoint was not"
                    + " written, the last good ones stay in " + dir + ". Lower the learning rate or clip the gradients");
        }
        try {
            c.write(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: could not write the checkpoint in " + dir + ": " + e, e);
        }
    }

    /**
     * Deletes the leftovers of interrupted writes, then restores the state from the directory's
     * checkpoint, if there is one; returns where the run stands (a fresh start without one).
     *
     * @throws UncheckedIOException     if no checkpoint present can be read
     * @throws IllegalArgumentException naming the file, if it does not fit the model, optimizer or
     *                                  schedulers; none of them is changed then
     */
    Progress restore() {
        Checkpoint c;
        try {
            Checkpoint.removeLeftovers(dir);
            c = Checkpoint.read(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Trainer: could not read the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
        if (c == null) {
            return new Progress();
        }
        // Check everything that can be checked before changing anything.
        Progress p = progress(c);
        Map<String, Tensor> modelState = c.tensors("model");
        checkModelState(modelState, c.source);
        if (scheduler != null) {
            checkKeys("scheduler", scheduler.stateDict(), c.numbers("scheduler"), c.source);
        }
        if (plateau != null) {
            checkKeys("ReduceLROnPlateau", plateau.stateDict(), c.numbers("plateau"), c.source);
        }
        for (int i = 0; i < callbacks.size(); i++) {
            callbacks.get(i).onRestore(trainer, c.numbers("callback." + i)); // may rebuild the optimizer
        }
        try {
            // checks the whole state before it changes anything
            optimizer.loadStateDict(new OptimizerState(c.tensors("optimizer"), c.numbers("optimizer")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Trainer: the checkpoint " + c.source + " does not fit the optimizer: "
                    + e.getMessage(), e);
        }
        model.loadStateDict(modelState); // checked above
        try {
            if (scheduler != null) {
                scheduler.loadStateDict(c.numbers("scheduler"));
            }
            if (plateau != null) {
                plateau.loadStateDict(c.numbers("plateau"));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Trainer: the checkpoint " + c.source + ": " + e.getMessage(), e);
        }
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Stochastic s && c.metadata.containsKey("rng." + name)) {
                s.generator().setState(c.getLong("rng." + name));
            }
        });
        LOG.info("Resuming from the checkpoint {} at epoch {}, batch {} (step {})", c.source, p.epoch + 1, p.batch,
                p.globalStep);
        return p;
    }

    /** Reads the counters and history of {@code c} (their format was checked when it was read). */
    private static Progress progress(Checkpoint c) {
        Progress p = new Progress();
        p.epoch = (int) c.getLong("epoch");
        p.batch = (int) c.getLong("batch");
        p.globalStep = c.getLong("globalStep");
        p.lossSum = c.getDouble("lossSum");
        p.lossCount = c.getLong("lossCount");
        p.skipped = c.getLong("skipped", 0);
        for (int i = 0; ; i++) {
            Map<String, Double> logs = c.numbers("history." + i);
            if (logs.isEmpty()) {
                break;
            }
            p.history.add(logs);
        }
        return p;
    }

    /** Checks that {@code saved} has exactly the model's state keys, with the same shapes; changes nothing. */
    private void checkModelState(Map<String, Tensor> saved, Path file) {
        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        own.forEach((k, t) -> {
            Tensor s = saved.get(k);
            if (s == null) {
                missing.add(k);
            } else if (!Arrays.equals(s.shape(), t.shape())) {
                mismatched.add(k + ": checkpoint shape " + Shape.str(s.shape()) + ", model shape " + Shape.str(t.shape()));
            }
        });
        List<String> unexpected = saved.keySet().stream().filter(k -> !own.containsKey(k)).toList();
        if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) {
            return;
        }
        StringBuilder msg = new StringBuilder("Trainer: the checkpoint ").append(file)
                .append(" does not fit the model (written for another architecture?)");
        if (!missing.isEmpty()) {
            msg.append("; missing keys ").append(missing);
        }
        if (!unexpected.isEmpty()) {
            msg.append("; unexpected keys ").append(unexpected);
        }
        if (!mismatched.isEmpty()) {
            msg.append("; size mismatch for ").append(String.join(", ", mismatched));
        }
        throw new IllegalArgumentException(msg.toString());
    }

    /** Checks that the saved state of {@code what} has the keys its current state has; changes nothing. */
    private static void checkKeys(String what, Map<String, Double> own, Map<String, Double> saved, Path file) {
        if (!own.keySet().equals(saved.keySet())) {
            throw new IllegalArgumentException("Trainer: the checkpoint " + file + " holds the " + what + " state "
                    + saved.keySet() + " but this trainer's " + what + " has " + own.keySet());
        }
    }
}
