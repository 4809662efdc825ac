package dev.tessera.spark;

import dev.tessera.DType;
import dev.tessera.Tensor;
import dev.tessera.nn.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Tensors as the bytes of a safetensors file, the form in which datasets, weights and optimizer
 * state travel between the Spark driver and its executors (never as Java-serialized objects).
 *
 * <p>{@link #encode} lays out a file exactly as the format describes: an 8-byte little-endian
 * header length, the UTF-8 JSON header padded with spaces to a multiple of 8, then the raw
 * little-endian data of each tensor in the map's order ({@code F32} for FLOAT32, {@code I32} for
 * INT32, bit for bit). {@link #decode} hands the bytes to {@link SafeTensors#read(byte[])}, which
 * checks every size and offset before allocating anything and decodes them in memory.
 */
final class SafeTensorBytes {
    private SafeTensorBytes() {
    }

    /**
     * Returns {@code tensors} (not modified; any device, any view) and {@code metadata} (may be
     * null or empty) as safetensors bytes.
     *
     * @throws IllegalArgumentException if a name is empty, {@code "__metadata__"} or not valid
     *                                  Unicode, a tensor is null, or the data exceeds 2 GiB
     */
    static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensorBytes.encode: metadata has a null key or value: " + e);
                }
                json.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
                first = false;
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("SafeTensorBytes.encode: invalid tensor name '" + name + "'");
            }
            if (t == null) {
                throw new IllegalArgumentException("SafeTensorBytes.encode: tensor '" + name + "' is null");
            }
            long bytes = t.numel() * 4;
            json.append(json.length() == 1 ? "" : ",").append(quote(name)).append(":{\"dtype\":\"")
                    .append(t.dtype() == DType.INT32 ? "I32" : "F32").append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] header = utf8(json.toString());
        int padded = (header.length + 7) / 8 * 8;
        long total = 8L + padded + offset;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("SafeTensorBytes.encode: " + total + " bytes do not fit one array (2 GiB)");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(header);
        for (int i = header.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (Tensor t : tensors.values()) {
            if (t.dtype() == DType.INT32) {
                out.asIntBuffer().put(t.toIntArray());
            } else {
                out.asFloatBuffer().put(t.toFloatArray());
            }
            out.position(out.position() + (int) t.numel() * 4);
        }
        return out.array();
    }

    /**
     * Returns the tensors (CPU, header order, a mutable map) and metadata held in {@code bytes}.
     *
     * @throws UncheckedIOException wrapping the reader's {@link dev.tessera.nn.io.SafeTensorsException}
     *                              (which names the fault) if the bytes are not a valid safetensors file
     */
    static SafeTensors.Contents decode(byte[] bytes) {
        try {
            return SafeTensors.read(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("SafeTensorBytes.decode: " + e.getMessage(), e);
        }
    }

    private static byte[] utf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("SafeTensorBytes.encode: a tensor name or metadata string is not valid"
                    + " Unicode (an unpaired surrogate): " + e.getMessage(), e);
        }
    }

    /** Returns {@code s} as a JSON string literal. */
    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
