package dev.tessera.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.nn.io.SafeTensors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run of a tanh/softmax model killed with {@code kill -9} after a mid-epoch checkpoint and
 * started again in a fresh JVM ends with the same bits as a run never interrupted: the resumed JVM
 * starts with cold (interpreted) kernels while the uninterrupted one has long had them compiled by
 * C2, so this also checks that results do not depend on the JIT tier. Each run is a child JVM (see
 * {@link ResumeProbe}); extra JVM options for the children can be given in the system property
 * {@code tessera.test.childJvmArgs} (e.g. {@code -XX:TieredStopAtLevel=1}).
 */
class KillAndResumeTest {
    private static final long TIMEOUT_S = 300;
    /**
     * The step after which the killed run pauses: in epoch 2 (of 29 steps each), five steps after the
     * checkpoint of step 30, and before C2 has compiled the kernels.
     */
    private static final int KILL_AFTER_STEP = 35;

    /** A child JVM whose output is collected on its own thread, so that a chatty child cannot block. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final CountDownLatch paused = new CountDownLatch(1);
        final Thread drain;

        Child(Path dir, Path out, int pauseAfter) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-Xmx512m"));
            String extra = System.getProperty("tessera.test.childJvmArgs", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(Arrays.asList(extra.split("\\s+")));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ResumeProbe.class.getName(), dir.toString(),
                    out.toString(), Integer.toString(pauseAfter)));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            drain = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.equals(ResumeProbe.PAUSED)) {
                            paused.countDown();
                        }
                    }
                } catch (IOException e) {
                    output.append("[reading the child's output failed: ").append(e).append("]\n");
                }
            }, "child-output");
            drain.setDaemon(true);
            drain.start();
        }

        /** Waits for the child to exit by itself and checks that it succeeded. */
        void awaitSuccess() throws InterruptedException {
            if (!process.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                fail("the child JVM did not finish in " + TIMEOUT_S + " s:\n" + output);
            }
            drain.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(0, process.exitValue(), "child JVM failed:\n" + output);
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aRunKilledAfterACheckpointAndResumedEndsBitIdenticalToAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path uninterrupted = tmp.resolve("uninterrupted.safetensors");
        try (Child full = new Child(tmp.resolve("checkpoints-uninterrupted"), uninterrupted, 0)) {
            full.awaitSuccess();
        }

        Path dir = tmp.resolve("checkpoints");
        Path resumed = tmp.resolve("resumed.safetensors");
        try (Child killed = new Child(dir, resumed, KILL_AFTER_STEP)) {
            if (!killed.paused.await(TIMEOUT_S, TimeUnit.SECONDS)) {
                fail("the child JVM did not reach step " + KILL_AFTER_STEP + ":\n" + killed.output);
            }
            assertTrue(Files.exists(dir.resolve(Checkpoint.FILE_NAME)), "a checkpoint was written before the kill");
            killed.process.destroyForcibly(); // kill -9: no shutdown hooks, nothing flushed
            assertTrue(killed.process.waitFor(TIMEOUT_S, TimeUnit.SECONDS), "the killed child JVM did not exit");
        }
        assertFalse(Files.exists(resumed), "the killed run did not finish");

        try (Child restarted = new Child(dir, resumed, 0)) {
            restarted.awaitSuccess();
            assertTrue(restarted.output.toString().contains("Resuming from the checkpoint"), restarted.output.toString());
        }

        TrainingData.assertSameWeights(SafeTensors.load(uninterrupted), SafeTensors.load(resumed));
    }
}
