package dev.tessera.nn.train;

import dev.tessera.Device;
import dev.tessera.GradMode;
import dev.tessera.MemoryScope;
import dev.tessera.Tensor;
import java.util.List;

/**
 * A sum of 0-d tensors kept on their device, so that adding reads nothing back to the host: a
 * compensated (Kahan) sum in float, {@code y = x - c; t = s + y; c = (t - s) - y; s = t}, whose
 * error stays near one float rounding of the total however many terms are added. Not thread-safe.
 */
final class DeviceSum {
    private final Tensor sum;
    private final Tensor compensation;

    /** Starts a sum of 0 on {@code device}. */
    DeviceSum(Device device) {
        this.sum = Tensor.scalar(device, 0f);
        this.compensation = Tensor.scalar(device, 0f);
    }

    /** Adds {@code value * weight} ({@code value}: a 0-d tensor on this sum's device); reads nothing. */
    void add(Tensor value, float weight) {
        try (GradMode ignored = Tensor.noGrad()) {
            Tensor y = value.detach().mul(weight).sub(compensation);
            Tensor t = sum.add(y);
            compensation.copyFrom(t.sub(sum).sub(y));
            sum.copyFrom(t);
        }
    }

    /** Returns the sum and the compensation stacked, {@code [2]}, for a caller that reads them with other values. */
    List<Tensor> parts() {
        return List.of(sum, compensation);
    }

    /** The total that {@link #parts()} read back as {@code s} and {@code c} stand for. */
    static double total(float s, float c) {
        return (double) s - c;
    }

    /** Reads the sum back to the host (one transfer) and starts again from 0. */
    double readAndReset() {
        float[] v;
        try (MemoryScope scope = MemoryScope.open(); GradMode ignored = Tensor.noGrad()) {
            v = Tensor.stack(parts(), 0).toFloatArray();
        }
        reset();
        return total(v[0], v[1]);
    }

    /** Sets the sum back to 0 on the device. */
    void reset() {
        try (GradMode ignored = Tensor.noGrad()) {
            sum.fill(0f);
            compensation.fill(0f);
        }
    }
}
