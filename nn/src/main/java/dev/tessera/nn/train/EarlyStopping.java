package dev.tessera.nn.train;

import dev.tessera.Tensor;
import dev.tessera.nn.Module;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops training when a monitored value (by default {@code val_loss}) has not improved by more than
 * {@code minDelta} for {@code patience} epochs, and optionally puts back the best weights seen.
 */
public final class EarlyStopping implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

    private final String monitor;
    private final int patience;
    private final double minDelta;
    private final boolean lowerIsBetter;
    private final boolean restoreBestWeights;
    private double best;
    private int wait;
    private int bestEpoch = -1;
    private Map<String, Tensor> bestWeights;

    /**
     * Creates the callback.
     *
     * @param monitor            the log key to watch, e.g. {@code "val_loss"} or {@code "val_accuracy"}
     * @param patience           epochs without improvement before stopping, at least 1
     * @param minDelta           the smallest change that counts as an improvement, at least 0
     * @param lowerIsBetter      true for losses and errors, false for accuracies
     * @param restoreBestWeights whether to load the best epoch's weights into the model at the end
     */
    public EarlyStopping(String monitor, int patience, double minDelta, boolean lowerIsBetter, boolean restoreBestWeights) {
        if (patience < 1) {
            throw new IllegalArgumentException("EarlyStopping: patience must be >= 1, got " + patience);
        }
        if (minDelta < 0) {
            throw new IllegalArgumentException("EarlyStopping: minDelta must be >= 0, got " + minDelta);
        }
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.lowerIsBetter = lowerIsBetter;
        this.restoreBestWeights = restoreBestWeights;
        this.best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /** Watches {@code val_loss} with the given patience and restores the best weights. */
    public EarlyStopping(int patience) {
        this("val_loss", patience, 0, true, true);
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        Double value = logs.get(monitor);
        if (value == null) {
            throw new IllegalStateException("EarlyStopping: the logs have no '" + monitor + "' (available: " + logs.keySet()
                    + "); give fit() a validation loader or monitor another key");
        }
        boolean improved = lowerIsBetter ? value < best - minDelta : value > best + minDelta;
        if (improved) {
            best = value;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBestWeights) {
                bestWeights = copy(trainer.model());
            }
        } else if (++wait >= patience) {
            LOG.info("Early stopping at epoch {}: {} has not improved on {} (epoch {}) for {} epochs", epoch + 1, monitor,
                    best, bestEpoch + 1, patience);
            trainer.requestStop();
        }
    }

    @Override
    public void onTrainEnd(Trainer trainer, History history) {
        if (restoreBestWeights && bestWeights != null) {
            trainer.model().loadStateDict(bestWeights);
        }
    }

    private static Map<String, Tensor> copy(Module model) {
        Map<String, Tensor> copy = new LinkedHashMap<>();
        try (var ng = Tensor.noGrad()) {
            model.stateDict().forEach((k, v) -> copy.put(k, v.zerosLike().copyFrom(v)));
        }
        return copy;
    }

    /** Returns the best monitored value so far. */
    public double best() {
        return best;
    }

    /** Returns the epoch (0-based) of the best value, or -1. */
    public int bestEpoch() {
        return bestEpoch;
    }

    @Override
    public Map<String, Double> stateDict() {
        return Map.of("best", best, "wait", (double) wait, "bestEpoch", (double) bestEpoch);
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        best = state.getOrDefault("best", best);
        wait = state.getOrDefault("wait", 0.0).intValue();
        bestEpoch = state.getOrDefault("bestEpoch", -1.0).intValue();
    }
}
