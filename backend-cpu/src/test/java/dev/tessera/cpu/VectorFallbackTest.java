package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Starts a JVM without {@code --add-modules jdk.incubator.vector}, as a user who forgot the flag
 * would: the CPU backend must still work, through EJML, and say so once in the log.
 */
class VectorFallbackTest {

    @Test
    void withoutTheVectorModuleMatmulFallsBackToEjmlAndSaysSo() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FallbackProbe.class.getName());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("implementation=ejml"), out);
        assertTrue(out.contains("result=[58.0, 64.0, 139.0, 154.0]"), out);
        assertTrue(out.contains("jdk.incubator.vector"), "the log names the missing module: " + out);
        assertEquals(1, out.split("Tessera CPU GEMM", -1).length - 1, "logged once: " + out);
    }
}
