package dev.tessera.nn.selection;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, insertion-ordered set of named hyperparameters ({@code lr}, {@code hidden},
 * {@code dropout}, ...) passed to model and trainer factories, with typed getters that say which
 * name is missing or has the wrong type.
 *
 * <p>Besides the hyperparameters it carries a {@link #seed()}: cross-validation derives one per
 * fold so that a factory building its layers with {@code new Generator(p.seed())} initialises
 * them reproducibly, even when folds run in parallel. The seed is not a hyperparameter: it is not
 * among the {@link #keys()} and takes no part in {@link #equals(Object)} or {@link #toString()}.
 *
 * <p>Serializable when its values are (numbers, strings and booleans are), so that lambdas
 * capturing a candidate's parameters can be shipped to the machines that train it.
 */
public final class Params implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final Params EMPTY = new Params(new LinkedHashMap<>(), 0);

    private final Map<String, Object> values;
    private final long seed;

    private Params(LinkedHashMap<String, Object> values, long seed) {
        this.values = Collections.unmodifiableMap(values);
        this.seed = seed;
    }

    /** Returns the empty set of parameters (seed 0). */
    public static Params empty() {
        return EMPTY;
    }

    /**
     * Returns the parameters in {@code values} (copied, iteration order kept).
     *
     * @throws IllegalArgumentException if a name is null or empty or a value is null
     */
    public static Params of(Map<String, ?> values) {
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(checkName(k), checkValue(k, v)));
        return new Params(copy, 0);
    }

    /**
     * Returns the parameters given as alternating names and values: {@code Params.of("lr", 0.01, "hidden", 32)}.
     *
     * @throws IllegalArgumentException if the count is odd, a name is not a non-empty string or a value is null
     */
    public static Params of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Params.of: expected name, value pairs, got " + namesAndValues.length
                    + " arguments");
        }
        LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String name)) {
                throw new IllegalArgumentException("Params.of: argument " + i + " must be a parameter name, got "
                        + namesAndValues[i]);
            }
            map.put(checkName(name), checkValue(name, namesAndValues[i + 1]));
        }
        return new Params(map, 0);
    }

    private static String checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Params: a parameter name must be non-empty, got '" + name + "'");
        }
        return name;
    }

    private static Object checkValue(String name, Object value) {
        if (value == null) {
            throw new IllegalArgumentException("Params: parameter '" + name + "' has a null value");
        }
        return value;
    }

    /** Returns a copy with {@code name} set to {@code value} (replacing any earlier value; new names go last). */
    public Params with(String name, Object value) {
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(checkName(name), checkValue(name, value));
        return new Params(copy, seed);
    }

    /** Returns a copy with {@code other}'s values added (replacing equal names) and this seed. */
    public Params withAll(Params other) {
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values);
        copy.putAll(other.values);
        return new Params(copy, seed);
    }

    /** Returns the seed for reproducible model building (see the class comment). */
    public long seed() {
        return seed;
    }

    /** Returns a copy with the given seed and the same values. */
    public Params withSeed(long newSeed) {
        return new Params(new LinkedHashMap<>(values), newSeed);
    }

    /** Returns the parameter names in insertion order (unmodifiable). */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Returns the parameters as an unmodifiable, insertion-ordered map. */
    public Map<String, Object> asMap() {
        return values;
    }

    /** Returns the number of parameters. */
    public int size() {
        return values.size();
    }

    /** Returns true if a parameter called {@code name} is set. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * Returns the value of {@code name}.
     *
     * @throws IllegalArgumentException if it is not set, naming the parameters that are
     */
    public Object get(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("Params: no parameter '" + name + "'; have " + values.keySet());
        }
        return v;
    }

    /**
     * Returns {@code name} as a double.
     *
     * @throws IllegalArgumentException if it is not set or not a number
     */
    public double getDouble(String name) {
        return number(name).doubleValue();
    }

    /** Returns {@code name} as a double, or {@code fallback} when it is not set. */
    public double getDouble(String name, double fallback) {
        return has(name) ? getDouble(name) : fallback;
    }

    /**
     * Returns {@code name} as a float (for optimizer learning rates).
     *
     * @throws IllegalArgumentException if it is not set or not a number
     */
    public float getFloat(String name) {
        return number(name).floatValue();
    }

    /** Returns {@code name} as a float, or {@code fallback} when it is not set. */
    public float getFloat(String name, float fallback) {
        return has(name) ? getFloat(name) : fallback;
    }

    /**
     * Returns {@code name} as an int.
     *
     * @throws IllegalArgumentException if it is not set, not a number, or not a whole number in int range
     */
    public int getInt(String name) {
        long v = getLong(name);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Params: parameter '" + name + "' = " + v + " does not fit an int");
        }
        return (int) v;
    }

    /** Returns {@code name} as an int, or {@code fallback} when it is not set. */
    public int getInt(String name, int fallback) {
        return has(name) ? getInt(name) : fallback;
    }

    /**
     * Returns {@code name} as a long.
     *
     * @throws IllegalArgumentException if it is not set, not a number or not a whole number
     */
    public long getLong(String name) {
        Number n = number(name);
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 0x1p62) {
                throw new IllegalArgumentException("Params: parameter '" + name + "' = " + n + " is not a whole number");
            }
            return (long) d;
        }
        return n.longValue();
    }

    /**
     * Returns {@code name} as a string (any value's {@code toString()}).
     *
     * @throws IllegalArgumentException if it is not set
     */
    public String getString(String name) {
        return get(name).toString();
    }

    /**
     * Returns {@code name} as a boolean.
     *
     * @throws IllegalArgumentException if it is not set or not a Boolean
     */
    public boolean getBoolean(String name) {
        Object v = get(name);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("Params: parameter '" + name + "' = " + v + " is a "
                    + v.getClass().getSimpleName() + ", not a Boolean");
        }
        return b;
    }

    private Number number(String name) {
        Object v = get(name);
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException("Params: parameter '" + name + "' = " + v + " is a "
                    + v.getClass().getSimpleName() + ", not a number");
        }
        return n;
    }

    /** Returns true for parameters with equal names and values in the same order (the seed is ignored). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Params p && values.equals(p.values)
                && java.util.List.copyOf(values.keySet()).equals(java.util.List.copyOf(p.values.keySet()));
    }

    /** Returns a hash of the names and values. */
    @Override
    public int hashCode() {
        return Objects.hash(values);
    }

    /** Returns {@code {lr=0.01, hidden=32}}, doubles rounded to 4 significant digits. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((k, v) -> sb.append(sb.length() == 1 ? "" : ", ").append(k).append('=').append(format(v)));
        return sb.append('}').toString();
    }

    /** Formats a parameter value compactly: doubles and floats rounded to 4 significant digits, plain notation. */
    static String format(Object v) {
        if ((v instanceof Double || v instanceof Float) && Double.isFinite(((Number) v).doubleValue())) {
            return new java.math.BigDecimal(((Number) v).toString()).round(new java.math.MathContext(4))
                    .stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }
}
