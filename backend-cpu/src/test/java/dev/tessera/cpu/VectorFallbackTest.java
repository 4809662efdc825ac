package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Starts a JVM without {@code --add-modules jdk.incubator.vector}, as a user who forgot the flag
 * would: the CPU backend must still work, through EJML, and say so once in the log. A child that
 * hangs is killed after 60 s and fails the test with its output (see {@link ChildJvm}).
 */
class VectorFallbackTest {

    @Test
    void withoutTheVectorModuleMatmulFallsBackToEjmlAndSaysSo() throws IOException, InterruptedException {
        String out = ChildJvm.run(Duration.ofSeconds(60), FallbackProbe.class.getName()).assertSucceeded().output();
        assertTrue(out.contains("implementation=ejml"), out);
        assertTrue(out.contains("result=[58.0, 64.0, 139.0, 154.0]"), out);
        assertTrue(out.contains("jdk.incubator.vector"), "the log names the missing module: " + out);
        assertEquals(1, out.split("Tessera CPU GEMM", -1).length - 1, "logged once: " + out);
    }
}
