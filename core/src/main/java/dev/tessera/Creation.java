package dev.tessera;

import dev.tessera.spi.Backend;
import java.util.Objects;

/** Factories: tensors from host data, constants, ranges and random numbers; device and dtype moves. */
final class Creation {
    private Creation() {
    }

    /** The backend of the default device ({@link Device#getDefault()}), where factories without a device create tensors. */
    static Backend defaultBackend() {
        return BackendRegistry.backend(Device.getDefault());
    }

    /**
     * Returns the backend of {@code device} for the factory {@code factory} (e.g. {@code
     * "Tensor.zeros"}), opening it on first use.
     *
     * @throws IllegalArgumentException naming the factory, the device and why it cannot be used (from
     *                                  {@link Device#available()}) when it is null or not available
     */
    static Backend backendFor(String factory, Device device) {
        if (device == null) {
            throw new IllegalArgumentException(factory + ": device must not be null (use Device.cpu() for the CPU)");
        }
        try {
            return BackendRegistry.backend(device);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(factory + ": device " + device + " is not available: " + whyUnavailable(device, e), e);
        }
    }

    /** The reason {@code device} cannot be used, as {@link Device#available()} reports it. */
    private static String whyUnavailable(Device device, RuntimeException failure) {
        for (DeviceInfo info : Device.available()) {
            if (info.device().equals(device)) {
                return info.usable() ? "its backend failed to open (" + failure.getMessage() + ")"
                        : info.detail() == null || info.detail().isEmpty() ? info.name() + " cannot be used" : info.detail();
            }
        }
        return "no backend on the classpath reports it (add dev.tessera:tessera-backend-" + device.type().label()
                + " to the dependencies; devices known: " + Device.available() + ")";
    }

    private static int[] shapeFor(String op, int length, int[] shape) {
        requireShape(op, shape);
        int[] s = shape.length == 0 ? new int[] {length} : shape.clone();
        if (Shape.check(op, s) != length) {
            throw new IllegalArgumentException(op + ": " + length + " values cannot fill shape " + Shape.str(s)
                    + " (" + Shape.numel(s) + " elements)");
        }
        return s;
    }

    /** A 1-D tensor of {@code data.length} values when {@code shape} is empty, else {@code data} in {@code shape}. */
    static Tensor of(float[] data, int[] shape) {
        return of(defaultBackend(), data, shape);
    }

    /** As {@link #of(float[], int[])}, uploaded through {@code backend}. */
    static Tensor of(Backend backend, float[] data, int[] shape) {
        Objects.requireNonNull(data, "Tensor.of: data must not be null");
        return exact(backend, data, shapeFor("Tensor.of", data.length, shape));
    }

    /** {@code data} in exactly {@code shape}, which may be 0-d; the caller has checked the sizes agree. */
    static Tensor exact(float[] data, int[] shape) {
        return exact(defaultBackend(), data, shape);
    }

    /** {@code data} in exactly {@code shape} on {@code backend} (one upload); the caller has checked the sizes. */
    static Tensor exact(Backend b, float[] data, int[] shape) {
        return new Tensor(b, b.upload(data), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    static Tensor ofInts(int[] data, int[] shape) {
        return ofInts(defaultBackend(), data, shape);
    }

    static Tensor ofInts(Backend b, int[] data, int[] shape) {
        Objects.requireNonNull(data, "Tensor.ofInts: data must not be null");
        int[] s = shapeFor("Tensor.ofInts", data.length, shape);
        return new Tensor(b, b.upload(data), s, Shape.contiguousStrides(s), 0);
    }

    /** A CPU tensor filled with {@code value}; {@code op} names the factory in error messages. */
    static Tensor full(String op, float value, int[] shape) {
        return full(op, defaultBackend(), value, shape);
    }

    /** A tensor on {@code backend} filled with {@code value} (allocated there, no upload); {@code op} names the factory. */
    static Tensor full(String op, Backend backend, float value, int[] shape) {
        requireShape(op, shape);
        Shape.check(op, shape);
        return full(backend, value, shape);
    }

    static Tensor full(Backend backend, float value, int[] shape) {
        Tensor t = Kernels.empty(backend, DType.FLOAT32, shape);
        if (value != 0f) {
            backend.fill(t.view(), value);
        }
        return t;
    }

    static Tensor zerosLike(Tensor x) {
        return Kernels.empty(x.backend, x.dtype, x.shape);
    }

    static Tensor arange(int n) {
        return arange(defaultBackend(), n);
    }

    static Tensor arange(Backend backend, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("arange: n must be >= 0, got " + n);
        }
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = i;
        }
        return exact(backend, data, new int[] {n});
    }

    static Tensor eye(int n) {
        return eye(defaultBackend(), n);
    }

    static Tensor eye(Backend backend, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("eye: n must be >= 0, got " + n);
        }
        float[] data = new float[n * n];
        for (int i = 0; i < n; i++) {
            data[i * n + i] = 1f;
        }
        return exact(backend, data, new int[] {n, n});
    }

    static Tensor rand(Generator g, int[] shape) {
        return rand(defaultBackend(), g, shape);
    }

    /** Uniform numbers drawn on {@code backend} with the counter-based stream: the same on every device. */
    static Tensor rand(Backend backend, Generator g, int[] shape) {
        requireGenerator("rand", g);
        requireShape("rand", shape);
        return randOn(backend, g, Shape.check("rand", shape), shape);
    }

    /** Uniform numbers in {@code [0, 1)} drawn on {@code backend} from {@code g} (advanced past them). */
    static Tensor randOn(Backend backend, Generator g, int numel, int[] shape) {
        requireGenerator("randLike", g);
        Tensor t = Kernels.empty(backend, DType.FLOAT32, shape);
        backend.fillUniform(t.view(), g.reserve(numel), 0f, 1f);
        return t;
    }

    static Tensor randn(Generator g, int[] shape) {
        return randn(defaultBackend(), g, shape);
    }

    /**
     * Normal numbers drawn on the host from {@code g} (Box–Muller in double precision, so the same
     * bits on every device) and uploaded once through {@code backend}.
     */
    static Tensor randn(Backend backend, Generator g, int[] shape) {
        requireGenerator("randn", g);
        requireShape("randn", shape);
        float[] data = new float[Shape.check("randn", shape)];
        g.fillNormal(data, 0f, 1f);
        return exact(backend, data, shape);
    }

    /** Throws a {@link NullPointerException} naming {@code op} when the shape array is null. */
    private static void requireShape(String op, int[] shape) {
        Objects.requireNonNull(shape, op + ": shape must not be null");
    }

    /** Throws a {@link NullPointerException} naming {@code op} when the generator is null. */
    private static void requireGenerator(String op, Generator g) {
        Objects.requireNonNull(g, op + ": generator must not be null");
    }

    static Tensor toDevice(Tensor x, Device device) {
        if (x.device().equals(device)) {
            return x;
        }
        Backend target = BackendRegistry.backend(device);
        Tensor out = new Tensor(target, x.backend.copyTo(x.view(), target), x.shape.clone(),
                Shape.contiguousStrides(x.shape), 0);
        Device from = x.device();
        return Autograd.record(out, "to", (g, needs) -> new Tensor[] {g.to(from)}, x);
    }

    static Tensor toDType(Tensor x, DType type) {
        if (x.dtype == type) {
            return x;
        }
        Tensor out = Kernels.empty(x.backend, type, x.shape);
        x.backend.copy(x.view(), out.view());
        return out;
    }
}
