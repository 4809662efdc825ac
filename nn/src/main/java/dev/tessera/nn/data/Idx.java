package dev.tessera.nn.data;

import dev.tessera.Tensor;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed (detected from the
 * content). The header is validated and the declared size checked against what the file holds.
 */
public final class Idx {
    private static final int TYPE_UBYTE = 0x08;
    /** Refuse headers that claim more than this many elements (about 2 GB of bytes). */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Idx() {
    }

    /**
     * Reads an unsigned-byte IDX file as a FLOAT32 tensor of its declared shape with values 0..255.
     *
     * @throws IOException naming the file and the fault: missing, not IDX, unsupported type, truncated
     */
    public static Tensor readFloat(Path file) throws IOException {
        Parsed p = parse(file);
        float[] values = new float[p.data.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = p.data[i] & 0xFF;
        }
        return Tensor.of(values, p.shape);
    }

    /** Reads a one-dimensional unsigned-byte IDX file (labels) as an INT32 tensor. */
    public static Tensor readLabels(Path file) throws IOException {
        Parsed p = parse(file);
        if (p.shape.length != 1) {
            throw new IOException(file + ": expected a 1-D IDX label file, found shape " + Arrays.toString(p.shape));
        }
        int[] labels = new int[p.data.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = p.data[i] & 0xFF;
        }
        return Tensor.ofInts(labels, p.shape);
    }

    private record Parsed(int[] shape, byte[] data) {
    }

    private static Parsed parse(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            DataInputStream data = new DataInputStream(in);
            int magic;
            try {
                magic = data.readInt();
            } catch (EOFException e) {
                throw new IOException(file + ": too short to be an IDX file");
            }
            if ((magic >>> 16) != 0) {
                throw new IOException(file + ": not an IDX file (magic number 0x" + Integer.toHexString(magic) + ")");
            }
            int type = (magic >>> 8) & 0xFF;
            int dims = magic & 0xFF;
            if (type != TYPE_UBYTE) {
                throw new IOException(file + ": IDX element type 0x" + Integer.toHexString(type)
                        + " is not supported (only unsigned bytes, 0x08)");
            }
            if (dims < 1 || dims > 8) {
                throw new IOException(file + ": IDX header declares " + dims + " dimensions");
            }
            int[] shape = new int[dims];
            long count = 1;
            for (int d = 0; d < dims; d++) {
                shape[d] = data.readInt();
                if (shape[d] < 0) {
                    throw new IOException(file + ": IDX dimension " + d + " is negative (" + shape[d] + ")");
                }
                count *= shape[d];
                if (count > MAX_ELEMENTS) {
                    throw new IOException(file + ": IDX header declares shape " + Arrays.toString(Arrays.copyOf(shape, d + 1))
                            + "..., more elements than a tensor can hold");
                }
            }
            // Read in chunks: a truncated file fails with a clear message before a huge claim is allocated.
            byte[] bytes = new byte[(int) Math.min(count, 1 << 20)];
            int filled = 0;
            while (filled < count) {
                if (filled == bytes.length) {
                    bytes = Arrays.copyOf(bytes, (int) Math.min(count, (long) bytes.length * 2));
                }
                int r = data.read(bytes, filled, bytes.length - filled);
                if (r < 0) {
                    throw new IOException(file + ": truncated: the header declares " + count + " values of shape "
                            + Arrays.toString(shape) + " but the file holds " + filled);
                }
                filled += r;
            }
            return new Parsed(shape, bytes);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": file not found", e);
        }
    }
}
