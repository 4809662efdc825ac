package dev.tessera.nn.io;

import dev.tessera.DType;

/**
 * The dtypes the safetensors format names, with their size and what Tessera loads them as.
 *
 * <p>Floating types load as {@link DType#FLOAT32} (F16 and BF16 exactly, F64 rounded to nearest),
 * integer and boolean types as {@link DType#INT32} (values outside the int range are an error).
 * The 8-, 6- and 4-bit float types and C64 are recognised, so that their sizes can be checked and
 * the error says "not supported" rather than "unknown", but cannot be loaded.
 */
enum SafeDType {
    BOOL(8, DType.INT32),
    U8(8, DType.INT32),
    I8(8, DType.INT32),
    I16(16, DType.INT32),
    U16(16, DType.INT32),
    I32(32, DType.INT32),
    U32(32, DType.INT32),
    I64(64, DType.INT32),
    U64(64, DType.INT32),
    F16(16, DType.FLOAT32),
    BF16(16, DType.FLOAT32),
    F32(32, DType.FLOAT32),
    F64(64, DType.FLOAT32),
    F4(4, null),
    F6_E2M3(6, null),
    F6_E3M2(6, null),
    F8_E5M2(8, null),
    F8_E4M3(8, null),
    F8_E8M0(8, null),
    C64(64, null);

    private final int bits;
    private final DType loadsAs;

    SafeDType(int bits, DType loadsAs) {
        this.bits = bits;
        this.loadsAs = loadsAs;
    }

    /** Returns the size of one element in bits. */
    int bits() {
        return bits;
    }

    /** Returns the Tessera dtype this type loads as, or null if Tessera cannot load it. */
    DType loadsAs() {
        return loadsAs;
    }

    /** Returns the type named {@code name} exactly as in a header (e.g. {@code "F32"}), or null. */
    static SafeDType byName(String name) {
        for (SafeDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Returns the names of the types Tessera can load, for error messages. */
    static String loadableNames() {
        StringBuilder sb = new StringBuilder();
        for (SafeDType t : values()) {
            if (t.loadsAs != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(t.name());
            }
        }
        return sb.toString();
    }

    /** Returns the safetensors type Tessera writes for {@code type}, or null if it cannot. */
    static SafeDType forWriting(DType type) {
        switch (type) {
            case FLOAT32:
                return F32;
            case INT32:
                return I32;
            default:
                return null;
        }
    }
}
