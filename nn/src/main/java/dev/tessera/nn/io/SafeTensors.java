package dev.tessera.nn.io;

import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, so that weights move between Tessera and PyTorch / Hugging Face by name.
 *
 * <p>A file is an 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON
 * ({@code {"__metadata__":{...},"name":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},...}},
 * padded with spaces to a multiple of 8), then the raw little-endian tensor data.
 *
 * <p><b>Writing</b> ({@link #save}): FLOAT32 tensors are written as {@code F32} and INT32 as
 * {@code I32}, bit for bit (NaN payloads, -0.0 and subnormals included), from any device and any
 * view (non-contiguous views are written in row-major order). The data is laid out contiguously
 * in the map's iteration order and the header lists the tensors in that same order (the
 * reference implementation sorts by dtype alignment, then name; readers accept either). The
 * write is atomic: a temporary file in the same directory is written, flushed and renamed over
 * the target, so a crash leaves either the old file or the complete new one, never a partial one.
 *
 * <p><b>Reading</b> ({@link #load}, {@link #read}, {@link #loadMetadata}): every size and offset
 * in the file is checked against the real file size before anything is allocated, with the
 * reference implementation's rules (the tensors must tile the data section exactly). {@code F32},
 * {@code F16}, {@code BF16} (widened exactly) and {@code F64} (rounded) load as FLOAT32; {@code
 * I32}, {@code I64}, {@code U32}, {@code U64}, {@code I16}, {@code U16}, {@code I8}, {@code U8}
 * and {@code BOOL} load as INT32, and a value outside the int range is an error. Tensors are
 * returned on the CPU, in header order.
 *
 * <p><b>Errors</b>: every I/O and format fault, including a missing file, throws {@link
 * SafeTensorsException} (an {@link IOException}) whose message starts with the file and names the
 * fault. Bad arguments to {@code save} (empty, reserved or over-long names, null tensors,
 * unsupported dtypes) throw {@link IllegalArgumentException} naming the tensor, before the disk
 * is touched.
 */
public final class SafeTensors {
    /** The largest header accepted or written, in bytes (the reference implementation's limit). */
    public static final int MAX_HEADER_BYTES = 100_000_000;

    /** The longest tensor name {@link #save} accepts, in characters. */
    public static final int MAX_NAME_LENGTH = 1024;

    private SafeTensors() {
    }

    /**
     * The whole content of a file.
     *
     * @param tensors the tensors by name, in header order, on the CPU (a mutable {@link
     *     LinkedHashMap}; empty when read with {@link #loadMetadata})
     * @param metadata the {@code __metadata__} strings, in header order; empty if the file has none
     *     (unmodifiable)
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /**
         * Checks the components are present and makes {@code metadata} an unmodifiable copy.
         *
         * @param tensors the tensors by name
         * @param metadata the metadata strings
         */
        public Contents {
            Objects.requireNonNull(tensors, "tensors");
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
        }
    }

    /**
     * Writes {@code tensors} to {@code file} without metadata, replacing the file atomically if
     * it exists. The tensors are not modified.
     *
     * @param tensors the tensors by name, written in iteration order
     * @param file the file to create or replace
     * @throws IllegalArgumentException if a name is null, empty, longer than {@link
     *     #MAX_NAME_LENGTH}, {@code "__metadata__"} or not valid Unicode, or a tensor is null
     *     or of a dtype that cannot be saved; nothing is written then
     * @throws SafeTensorsException if the directory does not exist or writing fails; an existing
     *     {@code file} is then left as it was and no temporary file remains
     */
    public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
        SafeTensorsWriter.write(tensors, null, file);
    }

    /**
     * Writes {@code tensors} and the {@code __metadata__} strings to {@code file}, replacing the
     * file atomically if it exists. Neither map is modified; {@code metadata} may be null or
     * empty, in which case no {@code __metadata__} entry is written.
     *
     * @param tensors the tensors by name, written in iteration order
     * @param metadata string key-value pairs stored under {@code __metadata__}, or null
     * @param file the file to create or replace
     * @throws IllegalArgumentException as {@link #save(Map, Path)}, and for a null metadata key
     *     or value; nothing is written then
     * @throws SafeTensorsException as {@link #save(Map, Path)}
     */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file)
            throws IOException {
        SafeTensorsWriter.write(tensors, metadata, file);
    }

    /**
     * Returns the tensors in {@code file}, by name in header order, as CPU tensors in a new
     * mutable {@link LinkedHashMap}.
     *
     * @param file the safetensors file to read
     * @return the tensors by name, in header order
     * @throws SafeTensorsException if the file is missing, unreadable or malformed, holds a dtype
     *     Tessera cannot load or an integer outside the int range; the message names the file and
     *     the fault
     */
    public static Map<String, Tensor> load(Path file) throws IOException {
        return read(file).tensors();
    }

    /**
     * Returns the tensors and the metadata in {@code file}.
     *
     * @param file the safetensors file to read
     * @return its tensors (CPU, header order) and its {@code __metadata__} strings
     * @throws SafeTensorsException as {@link #load}
     */
    public static Contents read(Path file) throws IOException {
        return SafeTensorsReader.read(Objects.requireNonNull(file, "SafeTensors.read: file"), true);
    }

    /**
     * Returns the tensors and the metadata held in {@code bytes}, the whole content of a
     * safetensors file (as sent over a network, say), with the same checks as {@link #read(Path)}
     * and no temporary file. {@code bytes} is not modified.
     *
     * @param bytes a safetensors file's bytes
     * @return its tensors (CPU, header order, a mutable map) and its {@code __metadata__} strings
     * @throws SafeTensorsException if the bytes are malformed or hold a dtype or value Tessera
     *     cannot load; the message starts with {@code <N bytes in memory>} and names the fault
     */
    public static Contents read(byte[] bytes) throws IOException {
        return SafeTensorsReader.read(Objects.requireNonNull(bytes, "SafeTensors.read: bytes"));
    }

    /**
     * Returns the dtype of each tensor in {@code file} as the header names it ({@code "F32"},
     * {@code "I64"}, {@code "BF16"}, ...), by name in header order, reading only the header (still
     * validated completely). Use it to see what {@link #load} converts: every type but {@code F32}
     * and {@code I32} is converted to FLOAT32 or INT32 when loaded.
     *
     * @param file the safetensors file to read
     * @return tensor name to dtype name (a new mutable {@link LinkedHashMap})
     * @throws SafeTensorsException if the file is missing, unreadable or its header is malformed
     */
    public static Map<String, String> dtypes(Path file) throws IOException {
        return SafeTensorsReader.dtypes(Objects.requireNonNull(file, "SafeTensors.dtypes: file"));
    }

    /**
     * Returns the {@code __metadata__} strings of {@code file} (unmodifiable, empty if there are
     * none), reading only the header, which is still validated completely.
     *
     * @param file the safetensors file to read
     * @return the metadata strings, in header order
     * @throws SafeTensorsException if the file is missing, unreadable or its header is malformed
     */
    public static Map<String, String> loadMetadata(Path file) throws IOException {
        return SafeTensorsReader.read(Objects.requireNonNull(file, "SafeTensors.loadMetadata: file"), false)
                .metadata();
    }
}
