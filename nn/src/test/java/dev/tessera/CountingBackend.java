package dev.tessera;

import dev.tessera.spi.Backend;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for tests that runs everything on the CPU backend but reports another device and counts
 * host uploads ({@code upload(float[])} and {@code upload(int[])}). With {@code composed}, the SPI's
 * default methods (composed convolution, pooling, dropout masks, ...) run as the defaults, on this
 * backend, instead of the CPU's fused kernels. {@link #install()} makes it the backend of its device
 * for factories and {@code to(Device)}; {@link #close()} undoes that.
 */
public final class CountingBackend implements AutoCloseable {
    private final Backend cpu = BackendRegistry.backend(Device.cpu());
    private final Device device;
    private final boolean composed;
    private final AtomicInteger uploads = new AtomicInteger();
    private final Backend proxy;

    /** A counting backend reporting {@code device}; {@code composed} runs the SPI defaults. */
    public CountingBackend(Device device, boolean composed) {
        this.device = device;
        this.composed = composed;
        InvocationHandler h = this::invoke;
        this.proxy = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    private Object invoke(Object self, Method m, Object[] args) throws Throwable {
        switch (m.getName()) {
            case "device":
                return device;
            case "equals":
                return self == args[0];
            case "hashCode":
                return System.identityHashCode(self);
            case "toString":
                return "CountingBackend(" + device + ")";
            case "upload":
                uploads.incrementAndGet();
                break;
            default:
                if (composed && m.isDefault()) {
                    return InvocationHandler.invokeDefault(self, m, args);
                }
        }
        try {
            return m.invoke(cpu, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Returns the backend. */
    public Backend backend() {
        return proxy;
    }

    /** Returns the device it reports. */
    public Device device() {
        return device;
    }

    /** Returns the number of host uploads so far. */
    public int uploads() {
        return uploads.get();
    }

    /** Makes this the open backend of its device (see {@code BackendRegistry.install}); returns this. */
    public CountingBackend install() {
        BackendRegistry.install(proxy);
        return this;
    }

    /** Forgets this backend in the registry. */
    @Override
    public void close() {
        BackendRegistry.uninstall(device);
    }
}
