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

/** Finds backends with {@link ServiceLoader}, probes them once, and opens each device once. */
final class BackendRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);
    private static final Map<Device, Backend> OPEN = new ConcurrentHashMap<>();
    private static volatile List<Probed> probed;

    private record Probed(BackendProvider provider, DeviceInfo info) {
    }

    private BackendRegistry() {
    }

    private static List<Probed> probed() {
        List<Probed> result = probed;
        if (result == null) {
            synchronized (BackendRegistry.class) {
                result = probed;
                if (result == null) {
                    result = probeAll();
                    probed = result;
                }
            }
        }
        return result;
    }

    private static List<Probed> probeAll() {
        List<Probed> all = new ArrayList<>();
        ServiceLoader<BackendProvider> loader = ServiceLoader.load(BackendProvider.class, BackendRegistry.class.getClassLoader());
        var it = loader.iterator();
        while (true) {
            BackendProvider provider;
            try {
                if (!it.hasNext()) {
                    break;
                }
                provider = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                LOG.warn("Tessera: a backend could not be loaded and is skipped: {}", e.toString());
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
        all.sort((a, b) -> {
            int c = Integer.compare(a.info.device().type().ordinal(), b.info.device().type().ordinal());
            return c != 0 ? c : Integer.compare(a.info.device().index(), b.info.device().index());
        });
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
            for (Probed p : probed()) {
                if (p.info.usable() && !p.info.hostCpu() && p.info.device().type() == type) {
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
        for (Probed p : probed()) {
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
