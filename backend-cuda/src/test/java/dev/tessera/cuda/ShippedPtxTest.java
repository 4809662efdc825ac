package dev.tessera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PTX in the jar is what the kernel sources compile to, and every driver from CUDA 11.8 on can
 * load it: each kernel source has its PTX, generated from exactly today's sources (the recorded
 * hash of prelude_cuda.h + common.h + the file; regenerate with {@code backend-cuda/generate-ptx.sh}
 * when this fails), declaring {@code .version 7.8} and {@code .target sm_75}, exporting every
 * kernel of the source, and assembling to a cubin for sm_80 and sm_90 with JCuda's bundled PTX
 * compiler (which needs no GPU and no driver).
 */
class ShippedPtxTest {
    private static final Path KERNELS = Path.of("..", "core", "src", "main", "resources", "dev", "tessera", "kernels");
    private static final Pattern KERNEL = Pattern.compile("KERNEL\\s+void\\s+(\\w+)\\s*\\(");

    static Stream<String> kernelFiles() throws IOException {
        try (Stream<Path> files = Files.list(KERNELS)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted().toList();
            assertFalse(names.isEmpty(), "no kernel sources in " + KERNELS.toAbsolutePath());
            return names.stream();
        }
    }

    static Stream<Arguments> filesAndTargets() throws IOException {
        return kernelFiles().flatMap(f -> Stream.of(Arguments.of(f, "sm_80"), Arguments.of(f, "sm_90")));
    }

    @ParameterizedTest
    @MethodSource("kernelFiles")
    void isGeneratedFromTodaysSourcesForOldDriversAndExportsEveryKernel(String file) throws IOException {
        String ptx = PtxSource.ptx(file);
        String source = Files.readString(KERNELS.resolve(file), StandardCharsets.UTF_8);
        assertEquals(PtxSource.sha256(PtxSource.unit(file)), PtxSource.recordedHash(ptx), file.replace(".c", ".ptx")
                + " is stale: the kernel sources changed since it was generated; run backend-cuda/generate-ptx.sh (needs"
                + " nvcc) and commit the PTX");
        assertTrue(ptx.contains("\n.version " + PtxSource.PTX_VERSION + "\n"), file + ": .version must be "
                + PtxSource.PTX_VERSION + " so that drivers from CUDA 11.8 on load it");
        assertTrue(ptx.contains("\n.target sm_75\n"), file + ": .target must be sm_75 (Turing and newer)");
        List<String> missing = new ArrayList<>();
        Matcher m = KERNEL.matcher(source);
        while (m.find()) {
            if (!ptx.contains(".entry " + m.group(1) + "(")) {
                missing.add(m.group(1));
            }
        }
        assertTrue(missing.isEmpty(), file + ": kernels missing from the PTX: " + missing);
    }

    @ParameterizedTest
    @MethodSource("filesAndTargets")
    void assemblesForTheGpuWithJCudasPtxCompiler(String file, String target) {
        byte[] image = PtxSource.image(file);
        nvPTXCompilerHandle h = new nvPTXCompilerHandle();
        JNvPTXCompiler.setExceptionsEnabled(false);
        assertEquals(0, JNvPTXCompiler.nvPTXCompilerCreate(h, image.length, image), "nvPTXCompilerCreate(" + file + ")");
        try {
            int status = JNvPTXCompiler.nvPTXCompilerCompile(h, 1, new String[] {"--gpu-name=" + target});
            assertEquals(0, status, file + " does not assemble for " + target + ": " + errorLog(h));
            long[] size = new long[1];
            assertEquals(0, JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(h, size));
            assertTrue(size[0] > 0, file + ": empty cubin for " + target);
        } finally {
            JNvPTXCompiler.nvPTXCompilerDestroy(h);
        }
    }

    private static String errorLog(nvPTXCompilerHandle h) {
        long[] size = new long[1];
        JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(h, size);
        byte[] log = new byte[(int) Math.max(1, size[0])];
        JNvPTXCompiler.nvPTXCompilerGetErrorLog(h, log);
        return new String(log, StandardCharsets.UTF_8).trim();
    }
}
