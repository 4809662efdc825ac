package dev.tessera.nn.train;

import dev.tessera.Tensor;
import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows training progress. On a terminal it redraws one line per epoch
 * ({@code epoch 3/10 [=====>    ] 120/235 loss 0.4123 acc 0.8711 5321 samples/s ETA 0:07}); when
 * output is not a terminal (CI, a file), it logs a plain line every quarter of an epoch and a
 * summary per epoch through SLF4J instead, so logs stay readable.
 *
 * <p>The loss shown is {@link Trainer#runningLoss()}, taken only when a line is drawn: on a GPU
 * that is the only time (besides the epoch's end) the training loss is read back to the host.
 */
public final class ProgressBar implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressBar.class);
    private static final int WIDTH = 24;

    private final PrintWriter terminal;
    private int totalBatches;
    private int epochs;
    private long epochStart;
    private long samples;
    private long lastDraw;

    /** Uses the console when the JVM has one, else logging. */
    public ProgressBar() {
        Console console = System.console();
        this.terminal = console == null ? null : console.writer();
    }

    @Override
    public void onTrainBegin(Trainer trainer) {
        this.epochs = trainer.epochs();
    }

    @Override
    public void onEpochBegin(Trainer trainer, int epoch) {
        totalBatches = trainer.batchesPerEpoch();
        epochStart = System.nanoTime();
        samples = 0;
        lastDraw = 0;
    }

    /** Counts the batch and draws a line when one is due; the loss is read only then. */
    @Override
    public void onBatchEnd(Trainer trainer, int epoch, int batch, Tensor loss, int batchSize) {
        samples += batchSize;
        int done = batch + 1;
        long now = System.nanoTime();
        if (terminal != null) {
            if (now - lastDraw > 100_000_000L || done == totalBatches) {
                lastDraw = now;
                terminal.print("\r" + line(epoch, done, now, trainer.runningLoss()));
                terminal.flush();
            }
        } else if (totalBatches >= 8 && done % Math.max(1, totalBatches / 4) == 0 && done < totalBatches) {
            LOG.info(line(epoch, done, now, trainer.runningLoss()));
        }
    }

    private String line(int epoch, int done, long now, double loss) {
        double seconds = (now - epochStart) / 1e9;
        double rate = seconds > 0 ? samples / seconds : 0;
        int filled = totalBatches == 0 ? WIDTH : (int) ((long) WIDTH * done / totalBatches);
        String bar = "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? (done == totalBatches ? "=" : ">") : "")
                + " ".repeat(WIDTH - filled);
        long eta = rate > 0 && done > 0 ? Math.round(seconds / done * (totalBatches - done)) : 0;
        return String.format(Locale.ROOT, "epoch %d/%d [%s] %d/%d loss %.4f %.0f samples/s ETA %d:%02d", epoch + 1, epochs,
                bar, done, totalBatches, Double.isNaN(loss) ? 0 : loss, rate, eta / 60, eta % 60);
    }

    @Override
    public void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs));
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            sb.append(String.format(Locale.ROOT, "  %s %.4g", e.getKey(), e.getValue()));
        }
        sb.append(String.format(Locale.ROOT, "  (%.1f s)", (System.nanoTime() - epochStart) / 1e9));
        if (terminal != null) {
            terminal.print("\r" + " ".repeat(100) + "\r" + sb + "\n");
            terminal.flush();
        } else {
            LOG.info(sb.toString());
        }
    }
}
