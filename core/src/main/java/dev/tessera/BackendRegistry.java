package dev.tessera;

import dev.tessera.spi.Backend;
import dev.tessera.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds backends with {@link ServiceLoader} and opens each device once. Providers are probed
 * lazily, one device type at a time: using the CPU never loads a GPU library; listing the devices
 * ({@link Device#available()}) or choosing the best one probes them all, each at most once.
 */
final class BackendRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
    private static final Map<Device, Backend> OPEN = new ConcurrentHashMap<>();
    private static volatile List<BackendProvider> providers;
    /** Probe results by device type, each computed once. */
    private static final Map<DeviceType, List<Probed>> PROBED = new ConcurrentHashMap<>();

    private record Probed(BackendProvider provider, DeviceInfo info) {
    }

    private BackendRegistry() {
    }

    /** Every provider on the classpath, instantiated (cheaply: providers touch no native code until probed). */
    private static List<BackendProvider> providers() {
        List<BackendProvider> result = providers;
        if (result == null) {
            synchronized (BackendRegistry.class) {
                result = providers;
                if (result == null) {
                    result = loadProviders();
                    providers = result;
                }
            }
        }
        return result;
    }

    private static List<BackendProvider> loadProviders() {
        List<BackendProvider> all = new ArrayList<>();
        ServiceLoader<BackendProvider> loader = ServiceLoader.load(BackendProvider.class, BackendRegistry.class.getClassLoader());
        var it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                all.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.warn("Tessera: a backend could not be loaded and is skipped: {}", e.toString());
            }
        }
        return Collections.unmodifiableList(all);
    }

    /** The devices of {@code type}, probing its providers on first use. */
    private static List<Probed> probed(DeviceType type) {
        return PROBED.computeIfAbsent(type, BackendRegistry::probe);
    }

    /** The devices of every type, in type order (CPU, CUDA, OpenCL) and index order. */
    private static List<Probed> probed() {
        List<Probed> all = new ArrayList<>();
        for (DeviceType type : DeviceType.values()) {
            all.addAll(probed(type));
        }
        return all;
    }

    private static List<Probed> probe(DeviceType type) {
        List<Probed> all = new ArrayList<>();
        for (BackendProvider provider : providers()) {
            if (provider.type() != type) {
                continue;
            }
            List<DeviceInfo> infos;
            try {
                infos = provider.probe();
            } catch (RuntimeException | LinkageError e) {
                infos = List.of(new DeviceInfo(deviceOf(provider.type(), 0), provider.getClass().getName(), false,
                        "probe failed: " + e));
            }
            for (DeviceInfo info : infos) {
                all.add(new Probed(provider, info));
                if (info.usable()) {
                    LOG.debug("Tessera device {}", info);
                } else {
                    LOG.info("Tessera device {}", info);
                }
            }
        }
        all.sort((a, b) -> Integer.compare(a.info.device().index(), b.info.device().index()));
        return Collections.unmodifiableList(all);
    }

    private static Device deviceOf(DeviceType type, int index) {
        return switch (type) {
            case CPU -> Device.cpu();
            case CUDA -> Device.cuda(index);
            case OPENCL -> Device.opencl(index);
        };
    }

    static List<DeviceInfo> devices() {
        List<DeviceInfo> infos = new ArrayList<>();
        for (Probed p : probed()) {
            infos.add(p.info);
        }
        return Collections.unmodifiableList(infos);
    }

    static Device best() {
        for (DeviceType type : new DeviceType[] {DeviceType.CUDA, DeviceType.OPENCL}) {
            for (Probed p : probed(type)) {
                if (p.info.usable() && !p.info.hostCpu()) {
                    return p.info.device();
                }
            }
        }
        return Device.cpu();
    }

    /** Returns the backend of {@code device}, opening it on first use. */
    static Backend backend(Device device) {
        Backend b = OPEN.get(device);
        return b != null ? b : OPEN.computeIfAbsent(device, BackendRegistry::open);
    }

    /**
     * Test support: makes {@code backend} the open backend of its device, so that factories and
     * {@code to(Device)} use it (e.g. a wrapper that counts host uploads). Returns the backend it
     * replaced, or null; {@link #uninstall} undoes it.
     */
    static Backend install(Backend backend) {
        return OPEN.put(backend.device(), backend);
    }

    /** Test support: forgets the open backend of {@code device} (the next use opens it again). */
    static void uninstall(Device device) {
        OPEN.remove(device);
    }

    private static Backend open(Device device) {
        Probed found = null;
        for (Probed p : probed(device.type())) {
            if (p.info.device().equals(device)) {
                found = p;
            }
        }
        if (found == null) {
            String module = "tessera-backend-" + device.type().label();
            throw new IllegalArgumentException("Device " + device + " is not available: no backend on the classpath reports it"
                    + " (add dev.tessera:" + module + " to the dependencies; known devices: " + devices() + ")");
        }
        if (!found.info.usable()) {
            throw new IllegalStateException("Device " + device + " cannot be used: " + found.info.detail());
        }
        Backend backend = found.provider.open(device.index());
        LOG.info("Tessera backend opened: {}", backend.describe());
        return backend;
    }
}
