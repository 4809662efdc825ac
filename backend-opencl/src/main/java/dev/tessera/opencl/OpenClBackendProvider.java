package dev.tessera.opencl;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.DeviceType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.BackendProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the OpenCL backend with {@link java.util.ServiceLoader}. Constructing it loads nothing
 * of OpenCL; {@link #probe()} lists every device of every platform (numbered {@code opencl:0},
 * {@code opencl:1}, ... across platforms) and never throws: without {@code libOpenCL.so.1},
 * without a platform (ICD), without devices, or with a driver that cannot compile Tessera's
 * kernels, it reports one unusable device whose detail says what to install, and the library
 * keeps running on the CPU.
 *
 * <p>Devices of one platform share one OpenCL context (so {@code to(Device)} between them copies
 * on the device); each device has its own in-order queue. The system property {@code
 * tessera.opencl.gemm} ({@code own}, {@code clblast} or {@code auto}, the default) picks the GEMM.
 */
public final class OpenClBackendProvider implements BackendProvider {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClBackendProvider.class);

    /** The backends opened by any provider instance, by device index (core opens each device once). */
    private static final Map<Integer, OpenClBackend> OPENED = new java.util.concurrent.ConcurrentHashMap<>();

    private List<ClDeviceRef> refs;
    private List<DeviceInfo> infos;
    private final Map<Object, org.jocl.cl_context> contexts = new HashMap<>();

    /** Creates the provider; called by {@link java.util.ServiceLoader}. Loads no native code. */
    public OpenClBackendProvider() {
    }

    @Override
    public DeviceType type() {
        return DeviceType.OPENCL;
    }

    @Override
    public synchronized List<DeviceInfo> probe() {
        if (infos == null) {
            infos = probeOnce();
        }
        return infos;
    }

    private List<DeviceInfo> probeOnce() {
        List<DeviceInfo> result = new ArrayList<>();
        try {
            refs = ClProbe.devices();
        } catch (ClProbe.Failure e) {
            LOG.debug("OpenCL probe failed", e);
            refs = List.of();
            result.add(new DeviceInfo(Device.opencl(0), "OpenCL", false, e.getMessage()));
            return result;
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("OpenCL probe failed", e);
            refs = List.of();
            result.add(new DeviceInfo(Device.opencl(0), "OpenCL", false, "OpenCL could not be probed (" + e
                    + "); " + ClProbe.INSTALL));
            return result;
        }
        List<ClDeviceRef> checked = new ArrayList<>();
        for (ClDeviceRef ref : refs) {
            String problem = ref.problem();
            if (problem == null) {
                try {
                    problem = ClProbe.trialBuild(context(ref), ref);
                } catch (LinkageError | RuntimeException e) {
                    problem = "an OpenCL context cannot be created on this device (" + e.getMessage()
                            + "); update the device's OpenCL driver";
                }
            }
            ClDeviceRef r = problem == ref.problem() ? ref : new ClDeviceRef(ref.index(), ref.platform(), ref.device(),
                    ref.platformName(), ref.name(), ref.type(), ref.globalMemory(), ref.computeUnits(), ref.version(), problem);
            checked.add(r);
            result.add(new DeviceInfo(Device.opencl(r.index()), r.name(), problem == null, r.detail(), r.hostCpu()));
        }
        refs = checked;
        return result;
    }

    /** The context of {@code ref}'s platform, holding every device of it that passed the checks so far; created once. */
    private org.jocl.cl_context context(ClDeviceRef ref) {
        return contexts.computeIfAbsent(ref.platform(), p -> {
            List<org.jocl.cl_device_id> devices = new ArrayList<>();
            for (ClDeviceRef r : refs) {
                if (r.platform().equals(p) && r.problem() == null) {
                    devices.add(r.device());
                }
            }
            int[] err = new int[1];
            org.jocl.cl_context_properties props = new org.jocl.cl_context_properties();
            props.addProperty(org.jocl.CL.CL_CONTEXT_PLATFORM, ref.platform());
            org.jocl.cl_context c = org.jocl.CL.clCreateContext(props, devices.size(),
                    devices.toArray(new org.jocl.cl_device_id[0]), null, null, err);
            ClCheck.check(err[0], "clCreateContext(" + ref.platformName() + ")");
            return c;
        });
    }

    /**
     * Returns the backend of {@code opencl:<index>} if core has opened it (e.g. after a tensor was
     * created there), else null: how tests and fused-kernel code reach the backend's {@link
     * OpenClBackend#kernels() launcher}.
     */
    public static OpenClBackend opened(int index) {
        return OPENED.get(index);
    }

    @Override
    public synchronized Backend open(int index) {
        probe();
        for (ClDeviceRef ref : refs) {
            if (ref.index() == index) {
                if (ref.problem() != null) {
                    throw new IllegalStateException("opencl:" + index + " cannot be used: " + ref.problem());
                }
                OpenClBackend backend = new OpenClBackend(ref, context(ref), System.getProperty("tessera.opencl.gemm", "auto"));
                OPENED.put(index, backend);
                return backend;
            }
        }
        throw new IllegalArgumentException("opencl backend: there is no device opencl:" + index + " (found " + refs.size()
                + ")");
    }
}
