package dev.tessera.opencl;

import org.jocl.cl_mem;

/** Something that holds an OpenCL buffer and can be passed to {@link ClKernels#launch} as a GLOBAL pointer. */
public interface ClBuffer {
    /**
     * Returns the buffer.
     *
     * @throws IllegalStateException if it has been released
     */
    cl_mem mem();
}
