package dev.tessera.cuda;

import dev.tessera.Device;
import dev.tessera.DeviceInfo;
import dev.tessera.DeviceType;
import dev.tessera.spi.Backend;
import dev.tessera.spi.BackendProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the CUDA backend with {@link java.util.ServiceLoader}. Constructing it loads nothing
 * of CUDA; {@link #probe()} loads JCuda's driver library (which needs only the NVIDIA driver's
 * {@code libcuda.so.1}), lists the GPUs ({@code cuda:0}, {@code cuda:1}, ...) and loads Tessera's
 * trial kernel on each, and never throws: without a driver, with a driver too old for the shipped
 * PTX, without a GPU, or with a GPU older than compute capability 7.5, it reports the device as
 * unusable with one sentence saying what to install, and the library keeps running on the next
 * best device. A usable GPU's detail shows its compute capability, memory and driver, and whether
 * matrix products go to cuBLAS or, when cuBLAS ({@code libcublas.so.12}) is missing, to the
 * backend's own kernel (also logged once).
 *
 * <p>The system property {@code tessera.cuda.gemm} ({@code own}, {@code cublas} or {@code auto},
 * the default) picks the GEMM.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackendProvider.class);

    /** The backends opened by any provider instance, by device index (core opens each device once). */
    private static final Map<Integer, CudaBackend> OPENED = new ConcurrentHashMap<>();

    private List<CudaDeviceRef> refs;
    private List<DeviceInfo> infos;
    private final Map<Integer, CudaContext> contexts = new HashMap<>();

    /** Creates the provider; called by {@link java.util.ServiceLoader}. Loads no native code. */
    public CudaBackendProvider() {
    }

    @Override
    public DeviceType type() {
        return DeviceType.CUDA;
    }

    @Override
    public synchronized List<DeviceInfo> probe() {
        if (infos == null) {
            infos = probeOnce();
        }
        return infos;
    }

    private List<DeviceInfo> probeOnce() {
        List<CudaDeviceRef> listed;
        try {
            listed = CudaProbe.devices();
        } catch (CudaProbe.Failure e) {
            LOG.debug("CUDA probe failed", e);
            refs = List.of();
            return List.of(new DeviceInfo(Device.cuda(0), "CUDA", false, e.getMessage()));
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("CUDA probe failed", e);
            refs = List.of();
            return List.of(new DeviceInfo(Device.cuda(0), "CUDA", false, "CUDA could not be probed (" + e + "); "
                    + Availability.INSTALL_DRIVER));
        }
        List<CudaDeviceRef> checked = new ArrayList<>();
        for (CudaDeviceRef ref : listed) {
            CudaDeviceRef r = ref;
            if (r.problem() == null) {
                try {
                    contexts.put(r.index(), CudaProbe.open(r));
                } catch (CudaProbe.Failure e) {
                    r = r.withProblem(e.getMessage());
                } catch (LinkageError | RuntimeException e) {
                    r = r.withProblem("Tessera's kernels cannot be loaded on this GPU (" + e.getMessage()
                            + "); check the driver with nvidia-smi");
                }
            }
            checked.add(r);
        }
        refs = checked;
        String gemm = gemmNote();
        List<DeviceInfo> result = new ArrayList<>();
        for (CudaDeviceRef r : checked) {
            boolean usable = r.problem() == null;
            result.add(new DeviceInfo(Device.cuda(r.index()), r.name(), usable, usable ? r.detail() + ", " + gemm
                    : r.detail()));
        }
        return result;
    }

    /** What a usable GPU's detail says of matrix products; logs once when cuBLAS is missing. */
    private static String gemmNote() {
        String choice = gemmChoice();
        if (choice.equals("own")) {
            return "matrix products via the own GEMM kernel (tessera.cuda.gemm=own)";
        }
        String why = CublasGemm.loadError();
        if (why == null) {
            return "matrix products via cuBLAS";
        }
        CublasGemm.warnOnce(why);
        return why;
    }

    /** The value of {@code tessera.cuda.gemm}, lower-cased ({@code "auto"} when unset). */
    static String gemmChoice() {
        String c = System.getProperty("tessera.cuda.gemm", "auto").trim().toLowerCase(Locale.ROOT);
        return c.isEmpty() ? "auto" : c;
    }

    /**
     * Returns the backend of {@code cuda:<index>} if core has opened it (e.g. after a tensor was
     * created there), else null: how tests reach the backend's {@link CudaBackend#kernels() launcher}.
     */
    public static CudaBackend opened(int index) {
        return OPENED.get(index);
    }

    @Override
    public synchronized Backend open(int index) {
        probe();
        for (CudaDeviceRef ref : refs) {
            if (ref.index() == index) {
                if (ref.problem() != null) {
                    throw new IllegalStateException("cuda:" + index + " cannot be used: " + ref.problem());
                }
                CudaBackend backend = new CudaBackend(ref, contexts.get(index), gemmChoice());
                OPENED.put(index, backend);
                return backend;
            }
        }
        throw new IllegalArgumentException("cuda backend: there is no device cuda:" + index + " (found " + refs.size() + ")");
    }
}
