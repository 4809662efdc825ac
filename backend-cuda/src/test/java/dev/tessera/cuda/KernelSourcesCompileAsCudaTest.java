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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernel sources are written once for OpenCL and CUDA: each file, assembled as {@code
 * prelude_cuda.h + common.h + <file>.c}, must compile with {@code nvcc -ptx} for the oldest target
 * the CUDA backend supports (compute_75), and its PTX must export every kernel under its plain
 * name. Runs wherever {@code nvcc} is on the PATH and is skipped, with the reason, elsewhere.
 */
class KernelSourcesCompileAsCudaTest {
    /** The kernel sources, in core's resources (the test runs from this module's directory). */
    private static final Path KERNELS = Path.of("..", "core", "src", "main", "resources", "dev", "tessera", "kernels");
    private static final Pattern KERNEL = Pattern.compile("KERNEL\\s+void\\s+(\\w+)\\s*\\(");

    static Stream<String> kernelFiles() throws IOException {
        try (Stream<Path> files = Files.list(KERNELS)) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c")).sorted().toList();
            assertFalse(names.isEmpty(), "no kernel sources in " + KERNELS.toAbsolutePath());
            return names.stream();
        }
    }

    private static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, "nvcc"))) {
                    return true;
                }
            }
        }
        return false;
    }

    @ParameterizedTest
    @MethodSource("kernelFiles")
    void compilesToPtxWithEveryKernelExported(String file, @TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(nvccOnPath(), "nvcc is not on the PATH: the CUDA flavour of the kernels is not compiled here");
        String source = Files.readString(KERNELS.resolve(file), StandardCharsets.UTF_8);
        String unit = Files.readString(KERNELS.resolve("prelude_cuda.h"), StandardCharsets.UTF_8)
                + "\n#line 1 \"common.h\"\n" + Files.readString(KERNELS.resolve("common.h"), StandardCharsets.UTF_8)
                + "\n#line 1 \"" + file + "\"\n" + source;
        Path cu = dir.resolve(file.replace(".c", ".cu"));
        Path ptx = dir.resolve(file.replace(".c", ".ptx"));
        Files.writeString(cu, unit, StandardCharsets.UTF_8);
        Process nvcc = new ProcessBuilder("nvcc", "-ptx", "-arch=compute_75", cu.toString(), "-o", ptx.toString())
                .redirectErrorStream(true).start();
        String log = new String(nvcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(nvcc.waitFor(120, TimeUnit.SECONDS), "nvcc did not finish within 120 s for " + file);
        assertEquals(0, nvcc.exitValue(), file + " does not compile as CUDA C:\n" + log);
        String assembled = Files.readString(ptx, StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        Matcher m = KERNEL.matcher(source);
        while (m.find()) {
            if (!assembled.contains(".entry " + m.group(1) + "(")) {
                missing.add(m.group(1));
            }
        }
        assertTrue(missing.isEmpty(), file + ": kernels missing from the PTX (C++ name mangling?): " + missing);
    }
}
