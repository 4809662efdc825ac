package dev.tessera.nn.io;

import java.nio.ByteBuffer;

/**
 * Converts little-endian element bytes of each loadable {@link SafeDType} into Tessera's float or
 * int arrays, one chunk at a time.
 */
final class ElementDecoder {
    private ElementDecoder() {
    }

    /** An integer that does not fit in an int: its element index and value, as text (may be unsigned). */
    static final class OutOfRange extends Exception {
        private static final long serialVersionUID = 1L;
        final long index;
        final String value;

        OutOfRange(long index, String value) {
            super(null, null, false, false);
            this.index = index;
            this.value = value;
        }
    }

    /**
     * Decodes every element in {@code src} (little-endian, position to limit) into {@code dst}
     * from {@code offset} on; modifies {@code dst} and consumes {@code src}.
     *
     * <p>F32 is copied bit for bit, F16 and BF16 are widened exactly, F64 is rounded to nearest.
     *
     * @return the number of elements written
     */
    static int floats(SafeDType type, ByteBuffer src, float[] dst, int offset) {
        switch (type) {
            case F32: {
                int n = src.remaining() / 4;
                src.asFloatBuffer().get(dst, offset, n);
                return n;
            }
            case F16: {
                int n = src.remaining() / 2;
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = HalfFloats.halfToFloat(src.getShort(src.position() + 2 * i));
                }
                return n;
            }
            case BF16: {
                int n = src.remaining() / 2;
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = HalfFloats.bfloat16ToFloat(src.getShort(src.position() + 2 * i));
                }
                return n;
            }
            case F64: {
                int n = src.remaining() / 8;
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = (float) src.getDouble(src.position() + 8 * i);
                }
                return n;
            }
            default:
                throw new IllegalStateException("not a float type: " + type);
        }
    }

    /**
     * Decodes every element in {@code src} (little-endian, position to limit) into {@code dst}
     * from {@code offset} on; modifies {@code dst}. BOOL maps non-zero bytes to 1.
     *
     * @return the number of elements written
     * @throws OutOfRange for the first I64, U32 or U64 value outside the int range; its index
     *     counts from {@code offset}
     */
    static int ints(SafeDType type, ByteBuffer src, int[] dst, int offset) throws OutOfRange {
        int p = src.position();
        switch (type) {
            case I32: {
                int n = src.remaining() / 4;
                src.asIntBuffer().get(dst, offset, n);
                return n;
            }
            case I64: {
                int n = src.remaining() / 8;
                for (int i = 0; i < n; i++) {
                    long v = src.getLong(p + 8 * i);
                    if (v != (int) v) {
                        throw new OutOfRange(offset + i, Long.toString(v));
                    }
                    dst[offset + i] = (int) v;
                }
                return n;
            }
            case U64: {
                int n = src.remaining() / 8;
                for (int i = 0; i < n; i++) {
                    long v = src.getLong(p + 8 * i);
                    if (v < 0 || v > Integer.MAX_VALUE) {
                        throw new OutOfRange(offset + i, Long.toUnsignedString(v));
                    }
                    dst[offset + i] = (int) v;
                }
                return n;
            }
            case U32: {
                int n = src.remaining() / 4;
                for (int i = 0; i < n; i++) {
                    int v = src.getInt(p + 4 * i);
                    if (v < 0) {
                        throw new OutOfRange(offset + i, Integer.toUnsignedString(v));
                    }
                    dst[offset + i] = v;
                }
                return n;
            }
            case I16:
            case U16: {
                int n = src.remaining() / 2;
                int mask = type == SafeDType.U16 ? 0xFFFF : -1;
                for (int i = 0; i < n; i++) {
                    dst[offset + i] = src.getShort(p + 2 * i) & mask;
                }
                return n;
            }
            case I8:
            case U8:
            case BOOL: {
                int n = src.remaining();
                for (int i = 0; i < n; i++) {
                    byte b = src.get(p + i);
                    dst[offset + i] = type == SafeDType.I8 ? b : type == SafeDType.U8 ? b & 0xFF : b != 0 ? 1 : 0;
                }
                return n;
            }
            default:
                throw new IllegalStateException("not an integer type: " + type);
        }
    }
}
