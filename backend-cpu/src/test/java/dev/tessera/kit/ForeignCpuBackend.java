package dev.tessera.kit;

import dev.tessera.DType;
import dev.tessera.Device;
import dev.tessera.MemoryScope;
import dev.tessera.TestDevice;
import dev.tessera.cpu.UntrackedStorage;
import dev.tessera.spi.Backend;
import dev.tessera.spi.MemoryLedger;
import dev.tessera.spi.Storage;
import dev.tessera.spi.View;
import java.lang.ref.Cleaner;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A test backend that passes for another device: every primitive runs on the CPU backend, but its
 * storages are objects of its own ({@link Foreign}, each wrapping a CPU array) that the CPU backend
 * refuses, and it refuses any storage it did not create (a CPU tensor's, another device's) with an
 * {@link IllegalArgumentException}. Running the conformance kit on it ({@code
 * -Dtessera.test.device=foreign}, see {@link TestDevice}) shows, without a GPU, that the kit and
 * core never mix a CPU tensor into an op on the kit's device. Its memory behaves like a device's:
 * storages are counted in {@link #backend()}{@code .memoryStats()} through a {@link MemoryLedger},
 * registered with the thread's {@link MemoryScope}, and refuse use after release.
 *
 * <p>With {@code composed}, the SPI's fused kernels ({@link ComposedOnly#KERNELS}) run as the
 * defaults on this backend instead of the CPU's kernels, so the whole kit also exercises the path a
 * backend without fused kernels gets ({@code -Dtessera.test.device=foreign-composed}).
 *
 * <p>It lives outside package {@code dev.tessera}, as a real backend does: core's error messages
 * name the innermost run of {@code dev.tessera} frames on the stack.
 */
public final class ForeignCpuBackend {
    private final Backend cpu = TestDevice.cpuBackend();
    private final MemoryLedger ledger = new MemoryLedger();
    private final Device device;
    private final boolean composed;
    private final Backend proxy;

    /** A storage of the foreign backend: a CPU storage behind an object the CPU backend does not know. */
    static final class Foreign implements Storage {
        final ForeignCpuBackend owner;
        private final Storage inner;
        private final Cleaner.Cleanable cleanable;
        private volatile boolean released;

        Foreign(ForeignCpuBackend owner, Storage inner) {
            this.owner = owner;
            this.inner = inner;
            this.cleanable = owner.ledger.track(this, 4L * inner.length(), null);
        }

        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public int length() {
            return inner.length();
        }

        @Override
        public void release() {
            if (!released) {
                released = true;
                cleanable.clean();
                inner.release();
            }
        }

        Storage open() {
            if (released) {
                throw MemoryLedger.released(this);
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
            case "memoryStats":
                return ledger.stats(0);
            case "synchronize":
                return null;
            case "copyTo":
                // Through the host, as a backend without a direct path between two devices does.
                return InvocationHandler.invokeDefault(self, m, args);
            case "allocate", "allocateUninitialised":
                return new Foreign(this, UntrackedStorage.allocate((DType) args[0], (Integer) args[1]));
            case "upload":
                return new Foreign(this, args[0] instanceof float[] f ? UntrackedStorage.of(f) : UntrackedStorage.of((int[]) args[0]));
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
        try {
            return m.invoke(cpu, inner);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Object unwrap(String op, Object arg) {
        if (arg instanceof View v) {
            return new View(unwrapStorage(op, v.storage()), v.shape(), v.strides(), v.offset());
        }
        if (arg instanceof Storage s) {
            return unwrapStorage(op, s);
        }
        return arg;
    }

    private Storage unwrapStorage(String op, Storage s) {
        if (s instanceof Foreign f && f.owner == this) {
            return f.open();
        }
        throw new IllegalArgumentException(device + " " + op + ": got a storage this backend does not own: " + s
                + " (a tensor of another device reached an op on " + device + ")");
    }
}
