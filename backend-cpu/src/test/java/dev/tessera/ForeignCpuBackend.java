package dev.tessera;

import dev.tessera.spi.Backend;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test backend that passes for another device: every primitive runs on the CPU backend, but its
 * storages are objects of its own ({@link Foreign}) that wrap CPU storages, and it refuses any
 * storage it did not create (a CPU tensor, or another device's) with an {@link
 * IllegalArgumentException}. Running the conformance kit on it ({@code
 * -Dtessera.test.device=foreign}, see {@link TestDevice}) proves that the kit and core never mix a
 * CPU tensor into an op on the kit's device, without a GPU. A released storage refuses further use
 * with an {@link IllegalStateException}, as device memory would.
 *
 * <p>With {@code composed}, the SPI's default methods (composed softmax gradient, attention,
 * convolution, pooling, Adam, ...) run as the defaults on this backend instead of the CPU's fused
 * kernels, so the whole kit also exercises the path a backend without fused kernels gets.
 */
public final class ForeignCpuBackend {
    private final Backend cpu = BackendRegistry.backend(Device.cpu());
    private final Device device;
    private final boolean composed;
    private final Backend proxy;

    /** A storage of the foreign backend: a CPU storage behind an object the CPU backend does not know. */
    static final class Foreign implements Storage {
        final ForeignCpuBackend owner;
        final Storage inner;
        private final AtomicBoolean released = new AtomicBoolean();

        Foreign(ForeignCpuBackend owner, Storage inner) {
            this.owner = owner;
            this.inner = inner;
        }

        @Override
        public dev.tessera.DType dtype() {
            return inner.dtype();
        }

        @Override
        public int length() {
            return inner.length();
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                inner.release();
            }
        }

        Storage open(String op) {
            if (released.get()) {
                throw new IllegalStateException(owner.device + " " + op + ": storage of " + inner.length()
                        + " elements was released");
            }
            return inner;
        }

        @Override
        public String toString() {
            return "Foreign(" + owner.device + ", " + inner.dtype() + "[" + inner.length() + "])";
        }
    }

    /** A foreign backend reporting {@code device}; {@code composed} runs the SPI's defaults instead of fused kernels. */
    public ForeignCpuBackend(Device device, boolean composed) {
        this.device = device;
        this.composed = composed;
        InvocationHandler h = this::invoke;
        this.proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    /** Returns the backend. */
    public Backend backend() {
        return proxy;
    }

    /** Returns the device it reports. */
    public Device device() {
        return device;
    }

    private Object invoke(Object self, Method m, Object[] args) throws Throwable {
        String name = m.getName();
        switch (name) {
            case "device":
                return device;
            case "describe":
                return "foreign test backend " + device + " (CPU kernels" + (composed ? ", composed defaults" : "") + ")";
            case "equals":
                return self == args[0];
            case "hashCode":
                return System.identityHashCode(self);
            case "toString":
                return "ForeignCpuBackend(" + device + ")";
            case "owns":
                return args[0] instanceof Foreign f && f.owner == this;
            default:
                break;
        }
        if (composed && m.isDefault() && ComposedOnly.KERNELS.contains(name)) {
            return InvocationHandler.invokeDefault(self, m, args);
        }
        Object[] inner = args == null ? null : new Object[args.length];
        if (args != null) {
            for (int i = 0; i < args.length; i++) {
                inner[i] = unwrap(name, args[i]);
            }
        }
        Object result;
        try {
            result = m.invoke(cpu, inner);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        return result instanceof Storage s ? new Foreign(this, s) : result;
    }

    private Object unwrap(String op, Object arg) {
        if (arg instanceof View v) {
            return new View(unwrapStorage(op, v.storage()), v.shape(), v.strides(), v.offset());
        }
        if (arg instanceof Storage s) {
            return unwrapStorage(op, s);
        }
        if (arg instanceof Backend) {
            throw new IllegalArgumentException(device + " " + op + ": the foreign test backend does not talk to other backends");
        }
        return arg;
    }

    private Storage unwrapStorage(String op, Storage s) {
        if (s instanceof Foreign f && f.owner == this) {
            return f.open(op);
        }
        throw new IllegalArgumentException(device + " " + op + ": got a storage this backend does not own: " + s
                + " (a tensor of another device reached an op on " + device + ")");
    }
}
