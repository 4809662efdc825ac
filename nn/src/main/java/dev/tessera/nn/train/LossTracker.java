package dev.tessera.nn.train;

import dev.tessera.Device;
import dev.tessera.GradMode;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loss of the batches since the last read-back, kept on the device so that a step
 * reads nothing to the host: the sum of {@code loss * batchSize}, and the index and loss of the
 * first batch whose loss was not finite, tracked with elementwise ops:
 * {@code found' = (isfinite(loss) or found) ? found : batch}, where {@code found} is -1 until then.
 * {@link #read()} brings all of it back in one transfer. Batch indices are held as floats: exact
 * below 2^24 batches per epoch. Not thread-safe.
 */
final class LossTracker {
    /** What one read-back found: the loss sum since the previous one, and the first non-finite batch (-1: none). */
    record Reading(double sum, int firstNonFinite, float firstNonFiniteLoss, int lastBatch) {
    }

    private final Device device;
    private final DeviceSum sum;
    private final Tensor firstBad;
    private final Tensor firstBadLoss;
    private int lastBatch = -1;

    /** Starts empty on {@code device}. */
    LossTracker(Device device) {
        this.device = device;
        this.sum = new DeviceSum(device);
        this.firstBad = Tensor.scalar(device, -1f);
        this.firstBadLoss = Tensor.scalar(device, 0f);
    }

    /** Adds batch {@code batch}'s loss (a 0-d tensor on the device) for {@code n} examples; reads nothing back. */
    void add(Tensor loss, int batch, int n) {
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor v = loss.detach();
            sum.add(v, n);
            // keep = isfinite(v) or already found; isfinite(v) as v - v == 0 (NaN for an infinity or NaN).
            Tensor keep = v.sub(v).eq(0f).add(firstBad.ge(0f)).gt(0f);
            firstBadLoss.copyFrom(Tensor.where(keep, firstBadLoss, v));
            firstBad.copyFrom(Tensor.where(keep, firstBad, Tensor.scalar(device, batch)));
        }
        lastBatch = batch;
    }

    /**
     * Reads the sum and the first non-finite batch back (one transfer) and starts the sum again from
     * 0; the first non-finite batch is remembered until {@link #restart}.
     */
    Reading read() {
        float[] v;
        try (MemoryScope scope = MemoryScope.open(); GradMode ignored = Tensor.noGrad()) {
            List<Tensor> parts = new ArrayList<>(sum.parts());
            parts.add(firstBad);
            parts.add(firstBadLoss);
            v = Tensor.stack(parts, 0).toFloatArray();
        }
        sum.reset();
        return new Reading(DeviceSum.total(v[0], v[1]), (int) v[2], v[3], lastBatch);
    }

    /** Forgets everything (a new epoch); reads nothing. */
    void restart() {
        sum.reset();
        try (GradMode ignored = Tensor.noGrad()) {
            firstBad.fill(-1f);
        }
        lastBatch = -1;
    }
}
