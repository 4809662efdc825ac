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
import java.util.stream.Collectors;

/**
 * A backend for tests that runs everything on the CPU backend but reports another device (so nn
 * takes the paths it takes on a GPU) and counts the reads back to the host ({@code readFloats} and
 * {@code readInts}: what {@code item()}, {@code toFloatArray()}, {@code toIntArray()} and copies to
 * another device do), remembering where each came from. {@link #install()} makes it the backend of
 * its device for factories and {@code to(Device)}; {@link #close()} undoes that.
 */
public final class ReadCountingBackend implements AutoCloseable {
    private final Backend cpu = BackendRegistry.backend(Device.cpu());
    private final Device device;
    private final List<String> reads = new ArrayList<>();
    private final Backend proxy;

    /** A read-counting backend reporting {@code device}. */
    public ReadCountingBackend(Device device) {
        this.device = device;
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
                return "ReadCountingBackend(" + device + ")";
            case "readFloats":
            case "readInts":
                synchronized (reads) {
                    reads.add(caller());
                }
                break;
            default:
                break;
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

    /** Returns the device it reports. */
    public Device device() {
        return device;
    }

    /** Returns the number of reads back to the host so far. */
    public int reads() {
        synchronized (reads) {
            return reads.size();
        }
    }

    /** Returns where each read so far came from (the first frames outside core), oldest first. */
    public List<String> readSites() {
        synchronized (reads) {
            return List.copyOf(reads);
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
    public void reset() {
        synchronized (reads) {
            reads.clear();
        }
    }

    /** Makes this the open backend of its device (see {@code BackendRegistry.install}); returns this. */
    public ReadCountingBackend install() {
        BackendRegistry.install(proxy);
        return this;
    }

    /** Forgets this backend in the registry. */
    @Override
    public void close() {
        BackendRegistry.uninstall(device);
    }
}
