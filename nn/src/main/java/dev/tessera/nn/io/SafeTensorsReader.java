package dev.tessera.nn.io;

import dev.tessera.DType;
import dev.tessera.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads safetensors files: the length prefix and header are validated against the real file
 * size before anything is allocated (see {@link Header}), then each tensor is read with
 * positional {@link FileChannel} reads through one reusable direct buffer and decoded straight
 * into the {@code float[]}/{@code int[]} that becomes the tensor, so the data never passes
 * through an intermediate {@code byte[]}. Bytes already in memory ({@link #read(byte[])}) go
 * through the same checks and are decoded in place.
 */
final class SafeTensorsReader {
    private static final Logger LOG = LoggerFactory.getLogger(SafeTensorsReader.class);

    /** Read chunk size: a multiple of 8, so that a chunk always ends on an element boundary. */
    static final int CHUNK_BYTES = 1 << 20;

    private SafeTensorsReader() {
    }

    /**
     * Reads {@code file}; with {@code withData} false only the header is read (and still fully
     * validated) and the returned tensor map is empty.
     *
     * @throws SafeTensorsException naming the file and the fault
     */
    static SafeTensors.Contents read(Path file, boolean withData) throws SafeTensorsException {
        if (Files.isDirectory(file)) {
            throw new SafeTensorsException(file, "is a directory, not a safetensors file");
        }
        try (FileChannel ch = open(file)) {
            long size = ch.size();
            Header header = header(file, ch, size);
            long dataStart = size - header.dataSize;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            if (withData) {
                ByteBuffer chunk = ByteBuffer.allocateDirect((int) Math.min(CHUNK_BYTES, Math.max(8, size - dataStart)))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (Header.Entry e : header.entries) {
                    tensors.put(e.name(), readTensor(file, ch, chunk, dataStart, e));
                }
                LOG.debug("{}: loaded {} tensors, {} bytes of data", file, tensors.size(), size - dataStart);
            }
            return new SafeTensors.Contents(tensors, header.metadata);
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(file, "cannot read: " + e, e);
        }
    }

    /**
     * Returns the dtype names of the tensors in {@code file} as its header writes them ({@code
     * "F32"}, {@code "I64"}, ...), by name in header order, reading and validating only the header.
     *
     * @throws SafeTensorsException naming the file and the fault
     */
    static Map<String, String> dtypes(Path file) throws SafeTensorsException {
        if (Files.isDirectory(file)) {
            throw new SafeTensorsException(file, "is a directory, not a safetensors file");
        }
        try (FileChannel ch = open(file)) {
            Map<String, String> out = new LinkedHashMap<>();
            for (Header.Entry e : header(file, ch, ch.size()).entries) {
                out.put(e.name(), e.dtype().name());
            }
            return out;
        } catch (SafeTensorsException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(file, "cannot read: " + e, e);
        }
    }

    /** Reads the length prefix and the header of a file of {@code size} bytes and validates them. */
    private static Header header(Path file, FileChannel ch, long size) throws IOException {
        if (size < 8) {
            throw new SafeTensorsException(file, "file is " + size
                    + " bytes, shorter than the 8-byte header length that starts a safetensors file");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, prefix, 0, "the header length");
        long n = prefix.getLong(0);
        checkHeaderLength(file, n, size);
        ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBytes, 8, "the header");
        return Header.parse(file, headerBytes.array(), size - 8 - n);
    }

    /**
     * Returns the tensors and metadata held in {@code bytes} (a whole safetensors file), with the
     * checks {@link #read(Path, boolean)} makes; errors name the source as {@code <N bytes in memory>}.
     *
     * @throws SafeTensorsException naming the fault
     */
    static SafeTensors.Contents read(byte[] bytes) throws SafeTensorsException {
        Path source = Path.of("<" + bytes.length + " bytes in memory>");
        long size = bytes.length;
        if (size < 8) {
            throw new SafeTensorsException(source, "file is " + size
                    + " bytes, shorter than the 8-byte header length that starts a safetensors file");
        }
        ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = all.getLong(0);
        checkHeaderLength(source, n, size);
        Header header = Header.parse(source, java.util.Arrays.copyOfRange(bytes, 8, 8 + (int) n), size - 8 - n);
        int dataStart = 8 + (int) n;
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Header.Entry e : header.entries) {
            Target t = new Target(source, e);
            ByteBuffer data = all.slice(dataStart + (int) e.begin(), (int) (e.end() - e.begin())).order(ByteOrder.LITTLE_ENDIAN);
            t.decode(data);
            tensors.put(e.name(), t.tensor());
        }
        return new SafeTensors.Contents(tensors, header.metadata);
    }

    /** Checks the header length {@code n} read from a file of {@code size} bytes. */
    private static void checkHeaderLength(Path file, long n, long size) throws SafeTensorsException {
        // unsigned in the format: negative means >= 2^63
        if (n < 0 || n > SafeTensors.MAX_HEADER_BYTES) {
            throw new SafeTensorsException(file, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + SafeTensors.MAX_HEADER_BYTES + " bytes; this is not a safetensors file or it is corrupt");
        }
        if (n > size - 8) {
            throw new SafeTensorsException(file, "header length " + n + " exceeds the " + (size - 8)
                    + " bytes after the length prefix (the file is " + size + " bytes; truncated?)");
        }
    }

    private static FileChannel open(Path file) throws SafeTensorsException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafeTensorsException(file, "file does not exist", e);
        } catch (AccessDeniedException e) {
            throw new SafeTensorsException(file, "permission denied", e);
        } catch (IOException e) {
            throw new SafeTensorsException(file, "cannot open: " + e, e);
        }
    }

    private static Tensor readTensor(Path file, FileChannel ch, ByteBuffer chunk, long dataStart, Header.Entry e)
            throws IOException {
        Target t = new Target(file, e);
        long position = dataStart + e.begin();
        long remaining = e.end() - e.begin();
        while (remaining > 0) {
            int want = (int) Math.min(chunk.capacity(), remaining);
            chunk.clear().limit(want);
            readFully(file, ch, chunk, position, "tensor '" + e.name() + "'");
            chunk.flip();
            t.decode(chunk);
            position += want;
            remaining -= want;
        }
        return t.tensor();
    }

    /** The array one tensor's elements are decoded into, piece by piece, and the tensor made of it. */
    private static final class Target {
        private final Path file;
        private final Header.Entry entry;
        private final int[] shape;
        private final float[] floats;
        private final int[] ints;
        private int done;

        /** Checks that Tessera can hold the tensor {@code e} describes and allocates its array. */
        Target(Path file, Header.Entry e) throws SafeTensorsException {
            this.file = file;
            this.entry = e;
            DType target = e.dtype().loadsAs();
            if (target == null) {
                throw new SafeTensorsException(file, "tensor '" + e.name() + "' has dtype " + e.dtype()
                        + ", which Tessera cannot load (it loads " + SafeDType.loadableNames() + ")");
            }
            shape = new int[e.shape().length];
            for (int d = 0; d < shape.length; d++) {
                if (e.shape()[d] > Integer.MAX_VALUE) {
                    throw tooLarge(file, e);
                }
                shape[d] = (int) e.shape()[d];
            }
            if (e.numel() > Integer.MAX_VALUE) {
                throw tooLarge(file, e);
            }
            int numel = (int) e.numel();
            floats = target == DType.FLOAT32 ? new float[numel] : null;
            ints = target == DType.INT32 ? new int[numel] : null;
        }

        /** Decodes the next elements, all of {@code piece} (position to limit, whole elements). */
        void decode(ByteBuffer piece) throws SafeTensorsException {
            if (floats != null) {
                done += ElementDecoder.floats(entry.dtype(), piece, floats, done);
            } else {
                try {
                    done += ElementDecoder.ints(entry.dtype(), piece, ints, done);
                } catch (ElementDecoder.OutOfRange r) {
                    throw new SafeTensorsException(file, "tensor '" + entry.name() + "' of dtype " + entry.dtype()
                            + " holds " + r.value + " at element " + r.index
                            + ", outside the INT32 range Tessera loads integers into");
                }
            }
        }

        /** Returns the tensor of the decoded elements. */
        Tensor tensor() {
            if (shape.length == 0) {
                return floats != null ? Tensor.scalar(floats[0]) : Tensor.ofInts(ints, 1).reshape();
            }
            return floats != null ? Tensor.of(floats, shape) : Tensor.ofInts(ints, shape);
        }
    }

    private static SafeTensorsException tooLarge(Path file, Header.Entry e) {
        return new SafeTensorsException(file, "tensor '" + e.name() + "' of shape " + Arrays.toString(e.shape())
                + " has " + e.numel() + " elements, more than a Tessera tensor can hold (" + Integer.MAX_VALUE + ")");
    }

    /** Fills {@code buf} from position to limit with the bytes at {@code position} of the file. */
    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long position, String what)
            throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new SafeTensorsException(file, "file ended at byte " + p + " while reading " + what
                        + " (was it truncated while being read?)");
            }
            p += r;
        }
    }
}
