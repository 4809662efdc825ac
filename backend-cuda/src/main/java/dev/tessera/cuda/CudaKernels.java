package dev.tessera.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;

import dev.tessera.spi.KernelLauncher;
import dev.tessera.spi.KernelLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The module cache and kernel launcher of one GPU, on which every kernel of the backend is launched.
 * The one-dimensional and strided launches are {@link KernelLauncher}'s, built on {@link #launch}.
 *
 * <p><b>Modules.</b> Each kernel file of core's {@code dev/tessera/kernels/} ships as PTX in this
 * jar ({@link PtxSource}); a file's module is loaded with {@code cuModuleLoadData} (the driver
 * compiles the PTX for the GPU, and caches the result on disk) the first time one of its kernels
 * is launched, and kept for the life of the device.
 *
 * <p><b>Arguments.</b> {@link #launch} takes the kernel arguments in order as Java objects: {@link
 * Integer} (int), {@link Float} (float), a {@link CudaStorage} or a {@link CUdeviceptr} (a GLOBAL
 * pointer), or {@code int[]} (a struct of ints passed by value, e.g. a {@link KernelLayout} struct).
 *
 * <p><b>Launches</b> go to the device's one stream ({@link CudaContext}) and return at once;
 * {@code cuLaunchKernel} is thread-safe, so no lock is taken.
 */
public final class CudaKernels extends KernelLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(CudaKernels.class);

    private final CudaContext context;
    private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();

    CudaKernels(CudaContext context) {
        this.context = context;
    }

    /** Returns the device's context and stream. */
    CudaContext context() {
        return context;
    }

    /**
     * Returns the loaded module of {@code file} (e.g. {@code "gemm.c"}), loading it on first use.
     *
     * @throws IllegalStateException if the PTX is missing or the driver rejects it
     */
    CUmodule module(String file) {
        CUmodule m = modules.get(file);
        if (m != null) {
            return m;
        }
        synchronized (modules) {
            return modules.computeIfAbsent(file, this::load);
        }
    }

    private CUmodule load(String file) {
        long start = System.nanoTime();
        context.makeCurrent();
        CUmodule m = new CUmodule();
        CudaCheck.check(cuModuleLoadData(m, PtxSource.image(file)), context.name() + ": cuModuleLoadData("
                + file.replace(".c", ".ptx") + ")");
        LOG.debug("{}: loaded {} in {} ms", context.name(), file, (System.nanoTime() - start) / 1_000_000);
        return m;
    }

    /** Returns kernel {@code name} of {@code file}, looked up once. */
    CUfunction function(String file, String name) {
        String key = file + '/' + name;
        CUfunction f = functions.get(key);
        if (f != null) {
            return f;
        }
        return functions.computeIfAbsent(key, x -> {
            CUmodule m = module(file);
            CUfunction created = new CUfunction();
            context.makeCurrent();
            CudaCheck.check(cuModuleGetFunction(created, m, name), context.name() + ": cuModuleGetFunction(" + file + ", "
                    + name + ")");
            return created;
        });
    }

    /**
     * Queues kernel {@code name} of {@code file} over {@code global} work-items in groups of
     * {@code local} (see {@link LaunchGeometry}) with {@code args} (see the class comment). Returns
     * without waiting; nothing for an empty launch.
     */
    @Override
    public void launch(String file, String name, long[] global, long[] local, Object... args) {
        LaunchGeometry g = LaunchGeometry.of(file + "/" + name, global, local);
        if (g.empty()) {
            return;
        }
        CUfunction f = function(file, name);
        Pointer params = params(name, args);
        context.makeCurrent();
        int[] grid = g.grid();
        int[] block = g.block();
        CudaCheck.check(cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], 0, context.stream(),
                params, null), context.name() + ": launching " + file + "/" + name + " (" + g + ")");
    }

    /** Returns CUDA's limit on blocks along y and z ({@link LaunchGeometry#MAX_GRID_YZ}). */
    @Override
    public int maxGroupsYZ() {
        return LaunchGeometry.MAX_GRID_YZ;
    }

    /** The {@code kernelParams} array of {@code cuLaunchKernel}: one pointer to each argument's value. */
    private Pointer params(String name, Object[] args) {
        Pointer[] p = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            if (arg instanceof Integer v) {
                p[i] = Pointer.to(new int[] {v});
            } else if (arg instanceof Float v) {
                p[i] = Pointer.to(new float[] {v});
            } else if (arg instanceof CudaStorage s) {
                p[i] = Pointer.to(s.pointer());
            } else if (arg instanceof CUdeviceptr d) {
                p[i] = Pointer.to(d);
            } else if (arg instanceof int[] struct) {
                p[i] = Pointer.to(struct);
            } else {
                throw new IllegalArgumentException(context.name() + ": kernel " + name + " argument " + i
                        + " has unsupported type " + (arg == null ? "null" : arg.getClass().getName()));
            }
        }
        return Pointer.to(p);
    }
}
