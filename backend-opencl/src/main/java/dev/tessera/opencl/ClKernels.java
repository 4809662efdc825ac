package dev.tessera.opencl;

import dev.tessera.spi.KernelLauncher;
import dev.tessera.spi.KernelLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The program cache and kernel launcher of one OpenCL device: the reusable part on which every
 * kernel of the backend (and any fused kernel added later) is launched. The one-dimensional and
 * strided launches are {@link KernelLauncher}'s, built on {@link #launch}.
 *
 * <p><b>Sources.</b> Kernels live in core's resources under {@code dev/tessera/kernels/}: each
 * {@code <name>.c} file is one program, compiled as {@code prelude_opencl.h + common.h + <name>.c}
 * (the same .c files compile as CUDA C with {@code prelude_cuda.h}). A program is built the first
 * time one of its kernels is launched and then kept for the life of the device, so each file is
 * compiled once per JVM; a program that does not build throws an {@link IllegalStateException}
 * with the compiler's log. Keep the number of files small: POCL compiles slowly (per program, and
 * again per work-group size at a kernel's first launch — launch each kernel with one fixed local
 * size).
 *
 * <p><b>Arguments.</b> {@link #launch} takes the kernel arguments in order as Java objects:
 * {@link Integer} (int), {@link Float} (float), a {@link ClBuffer} such as {@code OpenClStorage}, or a
 * {@link cl_mem} (a GLOBAL pointer), {@code int[]} (a struct of ints passed by value, e.g. a {@link KernelLayout} struct), or
 * {@link Local} (a LOCAL buffer of that many bytes).
 *
 * <p><b>Threads.</b> A {@code cl_kernel} holds its arguments, so setting them and enqueueing is
 * done under a lock per kernel; the command queue is in order, so launches and transfers run in
 * the order they were made. Launches return at once; reading data back waits for them.
 */
public final class ClKernels extends KernelLauncher {
    private static final Logger LOG = LoggerFactory.getLogger(ClKernels.class);
    private static final String ROOT = "/dev/tessera/kernels/";

    /** A LOCAL memory argument of {@code bytes} bytes. */
    public record Local(long bytes) {
    }

    private final cl_context context;
    private final cl_device_id device;
    private final cl_command_queue queue;
    private final String deviceName;
    private final Map<String, cl_program> programs = new ConcurrentHashMap<>();
    private final Map<String, cl_kernel> kernels = new ConcurrentHashMap<>();

    /**
     * Creates the launcher of {@code device}, whose kernels run on {@code queue} (in order) and
     * whose buffers belong to {@code context}; {@code deviceName} (e.g. {@code "opencl:0"}) is
     * used in error messages.
     */
    public ClKernels(cl_context context, cl_device_id device, cl_command_queue queue, String deviceName) {
        this.context = context;
        this.device = device;
        this.queue = queue;
        this.deviceName = deviceName;
    }

    /** Returns the command queue kernels are launched on. */
    public cl_command_queue queue() {
        return queue;
    }

    /** Returns the context buffers are created in. */
    public cl_context context() {
        return context;
    }

    /** Returns the device. */
    public cl_device_id device() {
        return device;
    }

    /**
     * Returns the built program of {@code file} (e.g. {@code "elementwise.c"}), building it on first
     * use. Concurrent first calls build it once.
     *
     * @throws IllegalStateException if the source is missing or does not build (with the build log)
     */
    public cl_program program(String file) {
        cl_program p = programs.get(file);
        if (p != null) {
            return p;
        }
        synchronized (programs) {
            return programs.computeIfAbsent(file, this::build);
        }
    }

    /** Returns {@code prelude_opencl.h + common.h + file} as one source text. */
    public static String source(String file) {
        return resource("prelude_opencl.h") + "\n#line 1 \"common.h\"\n" + resource("common.h")
                + "\n#line 1 \"" + file + "\"\n" + resource(file);
    }

    /** Reads a kernel resource of core as text. */
    static String resource(String name) {
        try (InputStream in = ClKernels.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("opencl backend: kernel source " + ROOT + name
                        + " is missing from the class path (tessera-core's jar holds it)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("opencl backend: cannot read kernel source " + ROOT + name + ": " + e, e);
        }
    }

    private cl_program build(String file) {
        long start = System.nanoTime();
        cl_program p = buildSource(context, device, source(file), file, deviceName);
        LOG.debug("{}: built {} in {} ms", deviceName, file, (System.nanoTime() - start) / 1_000_000);
        return p;
    }

    /**
     * Builds {@code source} for {@code device}; throws an {@link IllegalStateException} naming
     * {@code file} and {@code deviceName} with the compiler's log if it does not build.
     */
    static cl_program buildSource(cl_context context, cl_device_id device, String source, String file, String deviceName) {
        return twice(file, deviceName, () -> {
            int[] err = new int[1];
            cl_program p = CL.clCreateProgramWithSource(context, 1, new String[] {source}, null, err);
            ClCheck.check(err[0], deviceName + ": clCreateProgramWithSource(" + file + ")");
            int status = CL.clBuildProgram(p, 1, new cl_device_id[] {device}, "", null, null);
            if (status == CL.CL_SUCCESS) {
                return new Build<>(p, null);
            }
            String log = buildLog(p, device);
            CL.clReleaseProgram(p);
            return new Build<>(null, CL.stringFor_errorCode(status) + "); build log:\n" + log);
        });
    }

    /** One build: the program, or why it failed (the status and the compiler's log). */
    record Build<P>(P program, String failure) {
    }

    /**
     * Runs {@code build} and, if it fails, once more: POCL's kernel cache has failed a build on a
     * passing file error ("unable to rename temporary ... No such file or directory") that the
     * next build did not repeat, while an error in the source fails both. Returns the program;
     * throws an {@link IllegalStateException} naming {@code file} and {@code deviceName} with the
     * second failure's log.
     */
    static <P> P twice(String file, String deviceName, Supplier<Build<P>> build) {
        Build<P> first = build.get();
        if (first.program() != null) {
            return first.program();
        }
        Build<P> second = build.get();
        if (second.program() != null) {
            LOG.warn("{}: kernel program {} built on the second try; the first failed ({}", deviceName, file,
                    first.failure());
            return second.program();
        }
        throw new IllegalStateException(deviceName + ": kernel program " + file + " does not build, twice ("
                + second.failure());
    }

    private static String buildLog(cl_program p, cl_device_id device) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(p, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) Math.max(1, size[0])];
        CL.clGetProgramBuildInfo(p, device, CL.CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        return new String(buf, 0, Math.max(0, buf.length - 1), StandardCharsets.UTF_8).trim();
    }

    /** Returns the kernel {@code name} of program {@code file}, created once and shared (launch it through this class). */
    public cl_kernel kernel(String file, String name) {
        String key = file + '/' + name;
        cl_kernel k = kernels.get(key);
        if (k != null) {
            return k;
        }
        return kernels.computeIfAbsent(key, x -> {
            int[] err = new int[1];
            cl_kernel created = CL.clCreateKernel(program(file), name, err);
            ClCheck.check(err[0], deviceName + ": clCreateKernel(" + file + ", " + name + ")");
            return created;
        });
    }

    /**
     * Enqueues kernel {@code name} of {@code file} over {@code global} work-items in groups of
     * {@code local} (same length, 1 to 3 dimensions; each global size a multiple of the local
     * size) with {@code args} (see the class comment). Returns without waiting.
     */
    @Override
    public void launch(String file, String name, long[] global, long[] local, Object... args) {
        for (long g : global) {
            if (g == 0) {
                return;
            }
        }
        cl_kernel k = kernel(file, name);
        synchronized (k) {
            for (int i = 0; i < args.length; i++) {
                setArg(k, i, args[i], name);
            }
            int status = CL.clEnqueueNDRangeKernel(queue, k, global.length, null, global, local, 0, null, null);
            ClCheck.check(status, deviceName + ": launching " + file + "/" + name);
        }
    }

    private void setArg(cl_kernel k, int i, Object arg, String name) {
        int status;
        if (arg instanceof Integer v) {
            status = CL.clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
        } else if (arg instanceof Float v) {
            status = CL.clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
        } else if (arg instanceof ClBuffer s) {
            status = CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(s.mem()));
        } else if (arg instanceof cl_mem m) {
            status = CL.clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
        } else if (arg instanceof int[] struct) {
            status = CL.clSetKernelArg(k, i, (long) Sizeof.cl_int * struct.length, Pointer.to(struct));
        } else if (arg instanceof Local l) {
            status = CL.clSetKernelArg(k, i, l.bytes(), null);
        } else {
            throw new IllegalArgumentException(deviceName + ": kernel " + name + " argument " + i + " has unsupported type "
                    + (arg == null ? "null" : arg.getClass().getName()));
        }
        ClCheck.check(status, deviceName + ": setting argument " + i + " of kernel " + name);
    }

    /** Releases the kernels and programs (the device is being closed). */
    void release() {
        kernels.values().forEach(CL::clReleaseKernel);
        kernels.clear();
        programs.values().forEach(CL::clReleaseProgram);
        programs.clear();
    }
}
