package dev.tessera.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The PTX the backend ships, one file per kernel source: {@code dev/tessera/cuda/ptx/<name>.ptx}
 * in this jar, generated ahead of time by {@code backend-cuda/generate-ptx.sh} from core's {@code
 * dev/tessera/kernels/<name>.c}. Each file records, in its second line, the SHA-256 of the CUDA
 * unit it was compiled from ({@link #unit}), so a test finds PTX that is stale against the sources.
 */
final class PtxSource {
    /** The PTX ISA version the shipped files declare (accepted by drivers from CUDA 11.8 on). */
    static final String PTX_VERSION = "7.8";
    /** The header line that carries the source hash. */
    static final String HASH_TAG = "// tessera-source-sha256: ";
    private static final String PTX_ROOT = "/dev/tessera/cuda/ptx/";
    private static final String KERNEL_ROOT = "/dev/tessera/kernels/";

    private PtxSource() {
    }

    /**
     * Returns the PTX text of kernel file {@code file} (e.g. {@code "gemm.c"}).
     *
     * @throws IllegalStateException if the jar lacks it
     */
    static String ptx(String file) {
        return read(PTX_ROOT + file.replace(".c", ".ptx"), "the CUDA backend's jar");
    }

    /** Returns the PTX of {@code file} as the NUL-terminated bytes {@code cuModuleLoadData} takes. */
    static byte[] image(String file) {
        byte[] text = ptx(file).getBytes(StandardCharsets.UTF_8);
        byte[] image = new byte[text.length + 1];
        System.arraycopy(text, 0, image, 0, text.length);
        return image;
    }

    /**
     * Returns the CUDA unit of {@code file} as generate-ptx.sh compiles it: {@code prelude_cuda.h +
     * "\n#line 1 \"common.h\"\n" + common.h + "\n#line 1 \"<file>\"\n" + <file>}, from core's resources.
     */
    static String unit(String file) {
        String root = "tessera-core's jar";
        return read(KERNEL_ROOT + "prelude_cuda.h", root) + "\n#line 1 \"common.h\"\n" + read(KERNEL_ROOT + "common.h", root)
                + "\n#line 1 \"" + file + "\"\n" + read(KERNEL_ROOT + file, root);
    }

    /** Returns the source hash recorded in {@code ptx} (lower-case hex), or null when it has none. */
    static String recordedHash(String ptx) {
        for (String line : ptx.lines().limit(5).toList()) {
            if (line.startsWith(HASH_TAG)) {
                return line.substring(HASH_TAG.length()).trim();
            }
        }
        return null;
    }

    /** Returns the SHA-256 of {@code text}'s UTF-8 bytes in lower-case hex. */
    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String read(String path, String where) {
        try (InputStream in = PtxSource.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("cuda backend: " + path + " is missing from the class path (" + where
                        + " holds it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cuda backend: cannot read " + path + ": " + e, e);
        }
    }
}
