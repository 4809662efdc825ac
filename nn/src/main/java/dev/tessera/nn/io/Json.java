package dev.tessera.nn.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) parser and string writer for safetensors headers, with no
 * dependencies.
 *
 * <p>{@link #parse} maps objects to insertion-ordered {@code LinkedHashMap<String, Object>},
 * arrays to {@code List<Object>}, strings to {@code String}, integers to {@code Long} (or {@code
 * BigInteger} beyond the long range), numbers with a fraction or exponent to {@code Double},
 * {@code true}/{@code false} to {@code Boolean} and {@code null} to {@link #NULL}. It rejects
 * everything RFC 8259 does (trailing commas, single quotes, comments, leading zeros, control
 * characters in strings, lone surrogate escapes, trailing non-whitespace) and, beyond the RFC,
 * duplicate object keys and nesting deeper than {@value #MAX_DEPTH}.
 */
final class Json {
    /** The value of a JSON {@code null}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Nesting limit, so that a hostile header cannot overflow the stack. */
    static final int MAX_DEPTH = 64;

    /** A syntax error; the message says what was expected and at which character. */
    static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Parses one JSON value that fills {@code text} (surrounding whitespace allowed).
     *
     * @throws SyntaxException naming the fault and its character position
     */
    static Object parse(String text) throws SyntaxException {
        Json p = new Json(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw p.error("unexpected " + p.describe() + " after the end of the JSON value");
        }
        return value;
    }

    private Object value(int depth) throws SyntaxException {
        if (pos >= text.length()) {
            throw error("unexpected end of text, expected a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected " + describe() + ", expected a value");
        }
    }

    private Map<String, Object> object(int depth) throws SyntaxException {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("unexpected " + describe() + ", expected a string key");
            }
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (map.put(key, v) != null) {
                pos = keyPos;
                throw error("duplicate key " + quote(key));
            }
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return map;
            } else {
                throw error("unexpected " + describe() + ", expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws SyntaxException {
        checkDepth(depth);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            char c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return list;
            } else {
                throw error("unexpected " + describe() + ", expected ',' or ']'");
            }
        }
    }

    private String string() throws SyntaxException {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw error("unterminated string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            } else if (c == '\\') {
                escape(sb);
            } else if (c < 0x20) {
                pos--;
                throw error(String.format("control character U+%04X must be escaped in a string", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    private void escape(StringBuilder sb) throws SyntaxException {
        if (pos >= text.length()) {
            throw error("unterminated escape sequence");
        }
        char e = text.charAt(pos++);
        switch (e) {
            case '"': sb.append('"'); break;
            case '\\': sb.append('\\'); break;
            case '/': sb.append('/'); break;
            case 'b': sb.append('\b'); break;
            case 'f': sb.append('\f'); break;
            case 'n': sb.append('\n'); break;
            case 'r': sb.append('\r'); break;
            case 't': sb.append('\t'); break;
            case 'u': {
                int escPos = pos - 2;
                char u = hex4();
                if (Character.isHighSurrogate(u)) {
                    if (pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
                        pos += 2;
                        char low = hex4();
                        if (Character.isLowSurrogate(low)) {
                            sb.append(u).append(low);
                            break;
                        }
                    }
                    pos = escPos;
                    throw error("lone high surrogate escape");
                } else if (Character.isLowSurrogate(u)) {
                    pos = escPos;
                    throw error("lone low surrogate escape");
                }
                sb.append(u);
                break;
            }
            default:
                pos--;
                throw error("invalid escape sequence '\\" + e + "'");
        }
    }

    private char hex4() throws SyntaxException {
        if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos), 16);
            if (d < 0 || text.charAt(pos) > 'f') {
                throw error("invalid hex digit " + describe() + " in \\u escape");
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    private Object number() throws SyntaxException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("unexpected " + describe() + ", expected a digit");
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            pos++;
            requireDigits();
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            requireDigits();
        }
        String literal = text.substring(start, pos);
        if (!integer) {
            return Double.parseDouble(literal);
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException tooLong) {
            return new BigInteger(literal);
        }
    }

    private void requireDigits() throws SyntaxException {
        if (!isDigit(peek())) {
            throw error("unexpected " + describe() + ", expected a digit");
        }
        digits();
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) throws SyntaxException {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected " + describe() + ", expected a value");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) throws SyntaxException {
        if (peek() != c) {
            throw error("unexpected " + describe() + ", expected '" + c + "'");
        }
        pos++;
    }

    private void checkDepth(int depth) throws SyntaxException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** Returns the next character, or {@code '\0'} at the end (never valid where it is tested). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String describe() {
        if (pos >= text.length()) {
            return "end of text";
        }
        char c = text.charAt(pos);
        return c < 0x20 || c >= 0x7f ? String.format("character U+%04X", (int) c) : "'" + c + "'";
    }

    private SyntaxException error(String message) {
        return new SyntaxException(message + " at character " + pos);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Appends {@code s} to {@code out} as a JSON string literal, escaping as serde_json (the
     * reference implementation's writer) does: {@code "} and {@code \} with a backslash, control
     * characters below U+0020 as {@code \b \t \n \f \r} or <code>&#92;u00XX</code>; everything else,
     * non-ASCII included, is written as is.
     */
    static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\b': out.append("\\b"); break;
                case '\t': out.append("\\t"); break;
                case '\n': out.append("\\n"); break;
                case '\f': out.append("\\f"); break;
                case '\r': out.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    /** Returns {@code s} as a JSON string literal (see {@link #writeString}). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(sb, s);
        return sb.toString();
    }
}
