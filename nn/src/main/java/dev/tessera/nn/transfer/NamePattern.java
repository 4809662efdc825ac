package dev.tessera.nn.transfer;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern over dotted parameter, buffer or module names ({@code layer1.0.conv1.weight}), used to
 * freeze, unfreeze, exclude or group parameters by name.
 *
 * <p>A pattern <em>matches</em> a name when it matches the whole name or one of its dotted
 * prefixes: {@code layer1} matches {@code layer1.0.conv1.weight} (everything inside {@code layer1})
 * but not {@code layer10.weight}. Two syntaxes:
 * <ul>
 *   <li>glob (the default): {@code *} matches any run of characters except a dot, {@code **} any
 *       run including dots, {@code ?} one character except a dot; everything else is literal.
 *       {@code layer*.0}, {@code *.bn1}, {@code **.bias} ({@code **} alone or {@code *} alone
 *       match every name).
 *   <li>regular expression: written with the prefix {@code re:}, e.g. {@code re:layer[34]}, and
 *       matched with {@link java.util.regex.Matcher#matches()} against the name or a dotted prefix.
 * </ul>
 * Instances are immutable and thread-safe.
 */
public final class NamePattern {
    /** The prefix that makes {@link #of(String)} read the rest as a regular expression. */
    public static final String REGEX_PREFIX = "re:";

    private final String source;
    private final Pattern regex;

    private NamePattern(String source, Pattern regex) {
        this.source = source;
        this.regex = regex;
    }

    /**
     * Parses {@code pattern}: a regular expression when it starts with {@link #REGEX_PREFIX}, a glob
     * otherwise.
     *
     * @throws IllegalArgumentException if the pattern is null or empty, or the regular expression is invalid
     */
    public static NamePattern of(String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException("NamePattern: pattern must be non-empty, got "
                    + (pattern == null ? "null" : "''"));
        }
        return pattern.startsWith(REGEX_PREFIX) ? regex(pattern.substring(REGEX_PREFIX.length())) : glob(pattern);
    }

    /**
     * Returns a glob pattern ({@code *}, {@code **}, {@code ?}; see the class comment).
     *
     * @throws IllegalArgumentException if the glob is null or empty
     */
    public static NamePattern glob(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("NamePattern.glob: pattern must be non-empty, got "
                    + (glob == null ? "null" : "''"));
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^.]*");
            } else if (c == '?') {
                re.append("[^.]");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new NamePattern(glob, Pattern.compile(re.toString()));
    }

    /**
     * Returns a regular-expression pattern, matched against the whole name or a dotted prefix.
     *
     * @throws IllegalArgumentException if the expression is null, empty or invalid (naming it)
     */
    public static NamePattern regex(String regex) {
        if (regex == null || regex.isEmpty()) {
            throw new IllegalArgumentException("NamePattern.regex: expression must be non-empty, got "
                    + (regex == null ? "null" : "''"));
        }
        try {
            return new NamePattern(REGEX_PREFIX + regex, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("NamePattern.regex: invalid regular expression '" + regex + "': "
                    + e.getDescription(), e);
        }
    }

    /** Returns true when this pattern matches {@code name} or one of its dotted prefixes; does not modify anything. */
    public boolean matches(String name) {
        Objects.requireNonNull(name, "NamePattern.matches: name");
        if (regex.matcher(name).matches()) {
            return true;
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            if (regex.matcher(name.substring(0, dot)).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Returns the pattern as written (a regular expression with its {@code re:} prefix). */
    public String source() {
        return source;
    }

    /** Returns the pattern as written. */
    @Override
    public String toString() {
        return source;
    }

    /** Returns true for a pattern with the same source. */
    @Override
    public boolean equals(Object o) {
        return o instanceof NamePattern p && p.source.equals(source);
    }

    /** Returns the hash of the source. */
    @Override
    public int hashCode() {
        return source.hashCode();
    }
}
