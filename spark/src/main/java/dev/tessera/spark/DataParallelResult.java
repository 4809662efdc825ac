package dev.tessera.spark;

import dev.tessera.nn.Module;
import dev.tessera.nn.optim.Optimizer;
import java.util.Arrays;

/**
 * The outcome of {@link SparkExecutor#fit}: the trained model and its optimizer (holding the
 * averaged state, so training can go on locally), every round's mean training loss and the wall
 * time of the rounds this call ran.
 *
 * @param model        the model with the averaged parameters and buffers (in train mode)
 * @param optimizer    an optimizer over the model's parameters, holding the averaged state
 * @param losses       the mean training loss of every round, including rounds done before a resume (a new array)
 * @param roundSeconds the wall time of each round this call ran, broadcast to average (a new array)
 * @param startRound   the round this call started at: 0, or the rounds a checkpoint had already done
 */
public record DataParallelResult(Module model, Optimizer optimizer, double[] losses, double[] roundSeconds,
                                 int startRound) {

    /** Returns the mean training loss of every round (a new array). */
    @Override
    public double[] losses() {
        return losses.clone();
    }

    /** Returns the wall time of each round this call ran (a new array). */
    @Override
    public double[] roundSeconds() {
        return roundSeconds.clone();
    }

    /** Returns the number of rounds done in all. */
    public int rounds() {
        return losses.length;
    }

    /** Returns the mean wall time of the rounds this call ran (NaN if it ran none). */
    public double meanRoundSeconds() {
        return Arrays.stream(roundSeconds).average().orElse(Double.NaN);
    }
}
