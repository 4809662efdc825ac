package dev.tessera;

import dev.tessera.spi.Backend;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A backend for tests that runs everything on the CPU backend but reports another device (so core
 * and nn take the paths they take on a GPU), and counts host uploads ({@code upload(float[])} and
 * {@code upload(int[])}) and reads back to the host ({@code readFloats}, {@code readInts}: what
 * {@code item()}, {@code toFloatArray()} and copies to another device do), remembering where each
 * read came from. With {@code composed}, the SPI's
 * default methods (composed convolution, pooling, dropout masks, ...) run as the defaults, on this
 * backend, instead of the CPU's fused kernels. {@link #install()} makes it the backend of its device
 * for factories and {@code to(Device)}; {@link #close()} undoes that.
 */
public final class CountingBackend implements AutoCloseable {
    private final Backend cpu = BackendRegistry.backend(Device.cpu());
    private final Device device;
    private final boolean composed;
    private final AtomicInteger uploads = new AtomicInteger();
    private final List<String> reads = new ArrayList<>();
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
            case "readFloats":
            case "readInts":
                synchronized (reads) {
                    reads.add(caller());
                }
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

    /** The first frames outside core and this class: who asked for the read. */
    private static String caller() {
        return Arrays.stream(new Throwable().getStackTrace())
                .filter(f -> !f.getClassName().startsWith("dev.tessera.") || f.getClassName().startsWith("dev.tessera.nn."))
                .filter(f -> !f.getClassName().startsWith("jdk.") && !f.getClassName().startsWith("java."))
                .filter(f -> !f.getClassName().startsWith("com.sun.proxy") && !f.getClassName().contains("$Proxy"))
                .limit(3).map(StackTraceElement::toString).collect(Collectors.joining(" < "));
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

    /** Returns the number of reads back to the host so far. */
    public int reads() {
        synchronized (reads) {
            return reads.size();
        }
    }

    /** Returns where the reads so far came from, each site once with its count: for failure messages. */
    public String readSummary() {
        synchronized (reads) {
            Map<String, Long> counts = reads.stream().collect(Collectors.groupingBy(r -> r, LinkedHashMap::new,
                    Collectors.counting()));
            return counts.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey())
                    .collect(Collectors.joining("; ", "[", "]"));
        }
    }

    /** Forgets the reads counted so far. */
    public void resetReads() {
        synchronized (reads) {
            reads.clear();
        }
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
