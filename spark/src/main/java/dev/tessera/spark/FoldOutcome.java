package dev.tessera.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;

/**
 * What a fold's Spark task sends back: its scores, timings and training history as plain numbers,
 * and the kept model's state dict and test outputs as safetensors bytes.
 *
 * @param candidate    the candidate's position in the search
 * @param fold         the fold's position
 * @param scores       every metric's test value, then {@code "loss"}, in order
 * @param trainSeconds the training time on the executor
 * @param taskSeconds  the whole task's time on the executor (unpacking, training, testing)
 * @param history      the per-epoch training logs
 * @param tensors      {@code model.<name>} for a kept model's state and {@code predictions} for kept test
 *                     outputs, as safetensors bytes; null when neither was kept
 */
record FoldOutcome(int candidate, int fold, LinkedHashMap<String, Double> scores, double trainSeconds, double taskSeconds,
                   ArrayList<LinkedHashMap<String, Double>> history, byte[] tensors) implements Serializable {
    private static final long serialVersionUID = 1L;
}
