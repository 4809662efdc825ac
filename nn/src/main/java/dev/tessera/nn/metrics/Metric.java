package dev.tessera.nn.metrics;

import dev.tessera.Tensor;

/**
 * A metric accumulated over batches: {@link #update} with each batch's model output and targets,
 * {@link #compute} at the end of an epoch, {@link #reset} before the next. The factories give the
 * usual ones; all accumulate exactly, so the value does not depend on how the data was batched.
 */
public interface Metric {

    /** Returns the name used in logs and training histories, e.g. {@code "accuracy"}. */
    String name();

    /** Adds one batch; modifies this metric. */
    void update(Tensor output, Tensor target);

    /** Returns the value over everything added since the last reset (0 when nothing was added). */
    double compute();

    /** Forgets everything added; modifies this metric. */
    void reset();

    /** Returns true when larger values are better (accuracy), false when smaller are (errors). */
    default boolean higherIsBetter() {
        return true;
    }

    /** Classification accuracy; outputs are scores {@code [n, c]} or INT32 classes. */
    static Metric accuracy() {
        return new Counting("accuracy", (out, t) -> Metrics.accuracy(out, t));
    }

    /** Top-k accuracy over scores {@code [n, c]}. */
    static Metric topKAccuracy(int k) {
        return new Counting("top" + k + "Accuracy", (out, t) -> Metrics.topKAccuracy(out, t, k));
    }

    /** Mean squared error over all elements. */
    static Metric mse() {
        return new Counting("mse", Metrics::mse, false);
    }

    /** Mean absolute error over all elements. */
    static Metric mae() {
        return new Counting("mae", Metrics::mae, false);
    }

    /** Macro-averaged F1 over {@code numClasses} classes. */
    static Metric macroF1(int numClasses) {
        return new Metric() {
            private ConfusionMatrix matrix = new ConfusionMatrix(numClasses);

            @Override
            public String name() {
                return "macroF1";
            }

            @Override
            public void update(Tensor output, Tensor target) {
                matrix.merge(Metrics.confusionMatrix(output, target, numClasses));
            }

            @Override
            public double compute() {
                return matrix.macroF1();
            }

            @Override
            public void reset() {
                matrix = new ConfusionMatrix(numClasses);
            }
        };
    }

    /** A per-batch mean weighted by the number of examples in the batch. */
    final class Counting implements Metric {
        /** The per-batch value of a metric. */
        @FunctionalInterface
        public interface BatchValue {
            /** Returns the metric's mean over one batch. */
            double of(Tensor output, Tensor target);
        }

        private final String name;
        private final BatchValue value;
        private final boolean higherIsBetter;
        private double weightedSum;
        private long count;

        Counting(String name, BatchValue value) {
            this(name, value, true);
        }

        Counting(String name, BatchValue value, boolean higherIsBetter) {
            this.name = name;
            this.value = value;
            this.higherIsBetter = higherIsBetter;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void update(Tensor output, Tensor target) {
            long n = target.numel();
            weightedSum += value.of(output, target) * n;
            count += n;
        }

        @Override
        public double compute() {
            return count == 0 ? 0 : weightedSum / count;
        }

        @Override
        public void reset() {
            weightedSum = 0;
            count = 0;
        }

        @Override
        public boolean higherIsBetter() {
            return higherIsBetter;
        }
    }
}
