package dev.tessera.nn.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed and fully validated safetensors header: the {@code __metadata__} strings and one
 * {@link Entry} per tensor in header order.
 *
 * <p>{@link #parse} checks everything the reference implementation checks, before anything is
 * allocated for tensor data: UTF-8, JSON syntax, that the header is an object starting with
 * <code>'{'</code>, the types of every field, non-negative shape sizes, that element count times dtype
 * size equals the span of {@code data_offsets} (in overflow-checked long arithmetic), that every
 * tensor lies inside the data section, and that the tensors tile the data section exactly (no
 * overlap, no gap, no trailing bytes).
 */
final class Header {
    /** The reserved key holding the string-to-string metadata. */
    static final String METADATA_KEY = "__metadata__";

    /**
     * One tensor's header entry.
     *
     * @param name the tensor name
     * @param dtype its safetensors type
     * @param shape its sizes (validated non-negative; may exceed the int range)
     * @param begin first byte in the data section (inclusive)
     * @param end last byte in the data section (exclusive)
     */
    record Entry(String name, SafeDType dtype, long[] shape, long begin, long end) {
        /** Returns the number of elements; validated not to overflow. */
        long numel() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        /** Returns {@code [begin, end]} as written in the header. */
        String offsets() {
            return "[" + begin + ", " + end + "]";
        }
    }

    final Map<String, String> metadata;
    final List<Entry> entries;
    /** The number of bytes after the header (the data section). */
    final long dataSize;

    private Header(Map<String, String> metadata, List<Entry> entries, long dataSize) {
        this.metadata = metadata;
        this.entries = entries;
        this.dataSize = dataSize;
    }

    /**
     * Parses and validates the header bytes of {@code file}.
     *
     * @param file named in error messages
     * @param bytes the header, exactly as long as the length prefix says
     * @param dataSize the number of bytes in the file after the header
     * @throws SafeTensorsException naming the file and the first fault found
     */
    static Header parse(Path file, byte[] bytes, long dataSize) throws SafeTensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "header is not valid UTF-8", e);
        }
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw new SafeTensorsException(file, "header does not start with '{' (got "
                    + (text.isEmpty() ? "an empty header" : Json.quote(text.substring(0, Math.min(16, text.length()))))
                    + "); this is not a safetensors file");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.SyntaxException e) {
            throw new SafeTensorsException(file, "header is not valid JSON: " + e.getMessage(), e);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) root; // starts with '{', so an object
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> kv : top.entrySet()) {
            if (kv.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, kv.getValue());
            } else {
                entries.add(entry(file, kv.getKey(), kv.getValue(), dataSize));
            }
        }
        checkTiling(file, entries, dataSize);
        return new Header(Collections.unmodifiableMap(metadata), Collections.unmodifiableList(entries), dataSize);
    }

    private static Map<String, String> metadata(Path file, Object value) throws SafeTensorsException {
        if (!(value instanceof Map)) {
            throw new SafeTensorsException(file, "\"__metadata__\" must be an object of strings, got " + kind(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> kv : ((Map<?, ?>) value).entrySet()) {
            if (!(kv.getValue() instanceof String)) {
                throw new SafeTensorsException(file, "\"__metadata__\" value of " + Json.quote((String) kv.getKey())
                        + " must be a string, got " + kind(kv.getValue()));
            }
            out.put((String) kv.getKey(), (String) kv.getValue());
        }
        return out;
    }

    private static Entry entry(Path file, String name, Object value, long dataSize) throws SafeTensorsException {
        String what = "tensor '" + name + "'";
        if (!(value instanceof Map)) {
            throw new SafeTensorsException(file, what + " must be described by an object, got " + kind(value));
        }
        Map<?, ?> info = (Map<?, ?>) value;
        Object dtypeValue = info.get("dtype");
        if (!(dtypeValue instanceof String)) {
            throw new SafeTensorsException(file, what + ": \"dtype\" must be a string, got " + kind(dtypeValue));
        }
        SafeDType dtype = SafeDType.byName((String) dtypeValue);
        if (dtype == null) {
            throw new SafeTensorsException(file, what + " has unknown dtype " + Json.quote((String) dtypeValue)
                    + " (Tessera loads " + SafeDType.loadableNames() + ")");
        }
        long[] shape = longs(file, what, "shape", info.get("shape"), -1);
        long[] offsets = longs(file, what, "data_offsets", info.get("data_offsets"), 2);
        Entry e = new Entry(name, dtype, shape, offsets[0], offsets[1]);
        if (e.begin > e.end) {
            throw new SafeTensorsException(file, what + " data_offsets " + e.offsets() + " end before they begin");
        }
        if (e.end > dataSize) {
            throw new SafeTensorsException(file, what + " data_offsets " + e.offsets()
                    + " exceed the data section of " + dataSize + " bytes");
        }
        long bits = dtype.bits();
        try {
            for (long s : shape) {
                bits = Math.multiplyExact(bits, s);
            }
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsException(file, what + " of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " is larger than 2^63 bits; the header is corrupt");
        }
        if (bits % 8 != 0) {
            throw new SafeTensorsException(file, what + " of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " does not fill a whole number of bytes (" + bits + " bits)");
        }
        if (bits / 8 != e.end - e.begin) {
            throw new SafeTensorsException(file, what + " of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " needs " + bits / 8 + " bytes but data_offsets " + e.offsets() + " span "
                    + (e.end - e.begin));
        }
        return e;
    }

    /** Reads a JSON array of non-negative integers; {@code length} -1 accepts any length. */
    private static long[] longs(Path file, String what, String field, Object value, int length)
            throws SafeTensorsException {
        if (!(value instanceof List)) {
            throw new SafeTensorsException(file, what + ": \"" + field + "\" must be an array of integers, got "
                    + kind(value));
        }
        List<?> list = (List<?>) value;
        if (length >= 0 && list.size() != length) {
            throw new SafeTensorsException(file, what + ": \"" + field + "\" must have " + length
                    + " elements, got " + list.size());
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long) || (Long) v < 0) {
                throw new SafeTensorsException(file, what + ": \"" + field + "\" must hold non-negative integers"
                        + " below 2^63, element " + i + " is " + (v instanceof Long ? v.toString() : kind(v)));
            }
            out[i] = (Long) v;
        }
        return out;
    }

    /** Checks that the tensors, sorted by offset, tile {@code [0, dataSize)} with no overlap and no gap. */
    private static void checkTiling(Path file, List<Entry> entries, long dataSize) throws SafeTensorsException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < covered) {
                throw new SafeTensorsException(file, "tensors '" + previous.name + "' (data_offsets "
                        + previous.offsets() + ") and '" + e.name + "' (data_offsets " + e.offsets() + ") overlap");
            }
            if (e.begin > covered) {
                throw new SafeTensorsException(file, "data section bytes [" + covered + ", " + e.begin
                        + ") belong to no tensor: a gap " + (previous == null ? "before the first tensor '"
                        : "between '" + previous.name + "' and '") + e.name + "'");
            }
            covered = e.end;
            previous = e;
        }
        if (covered != dataSize) {
            throw new SafeTensorsException(file, "the data section is " + dataSize + " bytes but the tensors cover only "
                    + covered + "; bytes [" + covered + ", " + dataSize + ") belong to no tensor");
        }
    }

    private static String kind(Object v) {
        if (v == null) {
            return "nothing (missing)";
        } else if (v == Json.NULL) {
            return "null";
        } else if (v instanceof String) {
            return "a string";
        } else if (v instanceof Boolean) {
            return "a boolean";
        } else if (v instanceof Long) {
            return "an integer";
        } else if (v instanceof Number) {
            return v instanceof Double ? "a non-integer number" : "an integer out of range";
        } else if (v instanceof List) {
            return "an array";
        }
        return "an object";
    }
}
