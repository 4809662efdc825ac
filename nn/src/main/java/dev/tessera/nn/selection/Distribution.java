package dev.tessera.nn.selection;

import dev.tessera.Generator;
import java.util.Arrays;
import java.util.List;

/**
 * Where {@link RandomSearch} draws a hyperparameter from: {@link #uniform}, {@link #logUniform}
 * (for learning rates and weight decays, which matter by order of magnitude), {@link #intRange}
 * and {@link #choice}.
 */
public sealed interface Distribution {

    /** Returns one value drawn with {@code g} (advances it). */
    Object sample(Generator g);

    /**
     * Returns the uniform distribution on {@code [low, high)} (Double values).
     *
     * @throws IllegalArgumentException unless {@code low < high}, both finite
     */
    static Distribution uniform(double low, double high) {
        return new Uniform(low, high);
    }

    /**
     * Returns the log-uniform distribution on {@code [low, high)}: {@code exp(U(log low, log high))},
     * as scipy's {@code loguniform} (Double values).
     *
     * @throws IllegalArgumentException unless {@code 0 < low < high}, both finite
     */
    static Distribution logUniform(double low, double high) {
        return new LogUniform(low, high);
    }

    /**
     * Returns the uniform distribution on the integers {@code low .. high}, both included (Integer values).
     *
     * @throws IllegalArgumentException if {@code low > high}
     */
    static Distribution intRange(int low, int high) {
        return new IntRange(low, high);
    }

    /**
     * Returns a uniform choice among {@code values} (copied).
     *
     * @throws IllegalArgumentException if there are no values or one is null
     */
    static Distribution choice(Object... values) {
        return new Choice(Arrays.asList(values));
    }

    /**
     * The uniform distribution on {@code [low, high)}.
     *
     * @param low  the smallest value
     * @param high the bound, excluded
     */
    record Uniform(double low, double high) implements Distribution {
        /** Validates the bounds. */
        public Uniform {
            if (!(low < high) || !Double.isFinite(low) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("Distribution.uniform: need finite low < high, got [" + low + ", " + high + ")");
            }
        }

        /** Returns a Double drawn with {@code g}. */
        @Override
        public Object sample(Generator g) {
            return low + (high - low) * g.nextDouble();
        }
    }

    /**
     * The log-uniform distribution on {@code [low, high)}.
     *
     * @param low  the smallest value, positive
     * @param high the bound, excluded
     */
    record LogUniform(double low, double high) implements Distribution {
        /** Validates the bounds. */
        public LogUniform {
            if (!(low > 0 && low < high) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("Distribution.logUniform: need finite 0 < low < high, got [" + low + ", "
                        + high + ")");
            }
        }

        /** Returns a Double drawn with {@code g}. */
        @Override
        public Object sample(Generator g) {
            double lo = Math.log(low);
            return Math.min(Math.exp(lo + (Math.log(high) - lo) * g.nextDouble()), Math.nextDown(high));
        }
    }

    /**
     * The uniform distribution on the integers {@code low .. high}.
     *
     * @param low  the smallest value
     * @param high the largest value, included
     */
    record IntRange(int low, int high) implements Distribution {
        /** Validates the bounds. */
        public IntRange {
            if (low > high || (long) high - low + 1 > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("Distribution.intRange: need low <= high (a range of at most "
                        + Integer.MAX_VALUE + " values), got " + low + " .. " + high);
            }
        }

        /** Returns an Integer drawn with {@code g}. */
        @Override
        public Object sample(Generator g) {
            return low + g.nextInt(high - low + 1);
        }
    }

    /**
     * A uniform choice among values.
     *
     * @param values the values, at least one, none null
     */
    record Choice(List<Object> values) implements Distribution {
        /** Validates and copies the values. */
        public Choice {
            if (values == null || values.isEmpty() || values.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("Distribution.choice: need at least one non-null value, got " + values);
            }
            values = List.copyOf(values);
        }

        /** Returns one of the values drawn with {@code g}. */
        @Override
        public Object sample(Generator g) {
            return values.get(g.nextInt(values.size()));
        }
    }
}
