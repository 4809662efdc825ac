package dev.tessera.nn.io;

import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes safetensors files atomically: arguments are validated first (nothing touches the disk
 * if a name or tensor is bad), the file is written to a temporary file in the target directory,
 * flushed to disk and renamed over the target, so readers see either the old file or the whole
 * new one. The temporary file is deleted on any failure.
 */
final class SafeTensorsWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SafeTensorsWriter.class);

    /** A tensor to write: its name, type and where its bytes go in the data section. */
    private record Item(String name, Tensor tensor, SafeDType dtype, long begin, long end) {
    }

    private SafeTensorsWriter() {
    }

    static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        Objects.requireNonNull(tensors, "SafeTensors.save: tensors");
        Objects.requireNonNull(file, "SafeTensors.save: file");
        List<Item> items = layout(tensors);
        byte[] header = header(items, metadata);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (Files.isDirectory(target)) {
            throw new SafeTensorsException(file, "is a directory; cannot write a safetensors file there");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new SafeTensorsException(file, "cannot save: directory " + dir + " does not exist");
        }
        Path tmp = null;
        boolean moved = false;
        try {
            tmp = AtomicFiles.createTemp(target);
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
            try (FileChannel out = ch) {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(out, prefix);
                writeFully(out, ByteBuffer.wrap(header));
                writeData(out, items);
                out.force(true);
            }
            AtomicFiles.replace(tmp, target);
            moved = true;
            syncDirectory(dir);
            LOG.debug("{}: saved {} tensors", file, items.size());
        } catch (IOException e) {
            throw e instanceof SafeTensorsException ? e : new SafeTensorsException(file, "cannot save: " + e, e);
        } finally {
            if (!moved && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("{}: could not delete the temporary file {}", file, tmp, e);
                }
            }
        }
    }

    /** Validates the names and tensors and assigns contiguous data offsets in iteration order. */
    private static List<Item> layout(Map<String, Tensor> tensors) {
        List<Item> items = new ArrayList<>(tensors.size());
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
            String name = kv.getKey();
            checkName(name);
            if (!seen.add(name)) {
                throw new IllegalArgumentException("SafeTensors.save: duplicate tensor name '" + name + "'");
            }
            Tensor t = kv.getValue();
            if (t == null) {
                throw new IllegalArgumentException("SafeTensors.save: tensor '" + name + "' is null");
            }
            SafeDType dtype = SafeDType.forWriting(t.dtype());
            if (dtype == null) {
                throw new IllegalArgumentException("SafeTensors.save: tensor '" + name + "' has dtype " + t.dtype()
                        + ", which cannot be saved (supported: FLOAT32, INT32)");
            }
            long bytes = t.numel() * (dtype.bits() / 8);
            items.add(new Item(name, t, dtype, offset, offset + bytes));
            offset += bytes;
        }
        return items;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("SafeTensors.save: tensor names must be non-empty, got "
                    + (name == null ? "null" : "\"\""));
        }
        if (name.length() > SafeTensors.MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("SafeTensors.save: tensor name '" + name.substring(0, 40)
                    + "...' is " + name.length() + " characters long; the limit is " + SafeTensors.MAX_NAME_LENGTH);
        }
        if (name.equals(Header.METADATA_KEY)) {
            throw new IllegalArgumentException("SafeTensors.save: '" + Header.METADATA_KEY
                    + "' is reserved for the metadata and cannot name a tensor");
        }
        checkEncodable("tensor name", name);
    }

    private static void checkEncodable(String what, String s) {
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("SafeTensors.save: " + what + " " + Json.quote(s)
                    + " is not valid Unicode (a lone surrogate?) and cannot be written as UTF-8", e);
        }
    }

    /**
     * Returns the header as the reference implementation writes it: compact JSON, {@code
     * __metadata__} first, then the tensors in data order, padded with spaces to a multiple of 8.
     */
    private static byte[] header(List<Item> items, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            sb.append('"').append(Header.METADATA_KEY).append("\":{");
            boolean first = true;
            for (Map.Entry<String, String> kv : metadata.entrySet()) {
                if (kv.getKey() == null || kv.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensors.save: metadata keys and values must not be null, got "
                            + kv.getKey() + " -> " + kv.getValue());
                }
                checkEncodable("metadata key", kv.getKey());
                checkEncodable("metadata value of " + Json.quote(kv.getKey()) + ":", kv.getValue());
                sb.append(first ? "" : ",");
                Json.writeString(sb, kv.getKey());
                sb.append(':');
                Json.writeString(sb, kv.getValue());
                first = false;
            }
            sb.append('}');
        }
        for (Item it : items) {
            sb.append(sb.length() == 1 ? "" : ",");
            Json.writeString(sb, it.name);
            sb.append(":{\"dtype\":\"").append(it.dtype).append("\",\"shape\":[");
            int[] shape = it.tensor.shape();
            for (int d = 0; d < shape.length; d++) {
                sb.append(d == 0 ? "" : ",").append(shape[d]);
            }
            sb.append("],\"data_offsets\":[").append(it.begin).append(',').append(it.end).append("]}");
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        if (padded > SafeTensors.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("SafeTensors.save: the header would be " + padded
                    + " bytes, over the " + SafeTensors.MAX_HEADER_BYTES + "-byte limit readers enforce");
        }
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(FileChannel out, List<Item> items) throws IOException {
        long total = items.isEmpty() ? 0 : items.get(items.size() - 1).end;
        ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.max(8, Math.min(SafeTensorsReader.CHUNK_BYTES, total)))
                .order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = chunk.capacity() / 4;
        for (Item it : items) {
            float[] floats = it.dtype == SafeDType.F32 ? it.tensor.toFloatArray() : null;
            int[] ints = floats == null ? it.tensor.toIntArray() : null;
            int n = floats != null ? floats.length : ints.length;
            if (n != it.tensor.numel()) {
                throw new IllegalStateException("tensor '" + it.name + "' read back " + n + " elements, expected "
                        + it.tensor.numel());
            }
            for (int off = 0; off < n; off += perChunk) {
                int len = Math.min(perChunk, n - off);
                chunk.clear();
                if (floats != null) {
                    chunk.asFloatBuffer().put(floats, off, len);
                } else {
                    chunk.asIntBuffer().put(ints, off, len);
                }
                chunk.limit(len * 4);
                writeFully(out, chunk);
            }
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    /** Flushes the rename to disk where the platform allows opening a directory; best effort. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.trace("cannot fsync directory {}: {}", dir, e.toString());
        }
    }
}
