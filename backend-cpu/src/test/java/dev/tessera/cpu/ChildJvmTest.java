package dev.tessera.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** A child JVM that hangs is killed and reported, not waited for forever. */
class ChildJvmTest {

    /** Prints a line, then never ends. */
    static final class HangingMain {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("started");
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Prints a line to each stream and exits with status 3. */
    static final class FailingMain {
        public static void main(String[] args) {
            System.out.println("to stdout");
            System.err.println("to stderr");
            System.exit(3);
        }
    }

    @Test
    void aHangingChildIsKilledAndReported() throws Exception {
        ChildJvm.Result r = ChildJvm.run(Duration.ofSeconds(3), HangingMain.class.getName());
        assertFalse(r.finished());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, r::assertSucceeded);
        assertTrue(e.getMessage().contains("did not finish in time and was killed"), e.getMessage());
    }

    @Test
    void aFailingChildIsReportedWithItsOutput() throws Exception {
        ChildJvm.Result r = ChildJvm.run(Duration.ofSeconds(60), FailingMain.class.getName());
        assertTrue(r.finished());
        assertEquals(3, r.exitCode());
        assertTrue(r.output().contains("to stdout") && r.output().contains("to stderr"), r.output());
        AssertionFailedError e = assertThrows(AssertionFailedError.class, r::assertSucceeded);
        assertTrue(e.getMessage().contains("to stderr"), e.getMessage());
    }
}
