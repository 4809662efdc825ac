/*
 * Tessera kernel prelude for CUDA C++ (nvcc, or NVRTC at run time).
 *
 * Maps the names of prelude_opencl.h to CUDA, so the kernel files (*.c) compile unchanged as
 * prelude_cuda.h + common.h + <file>.c. Kernels get C linkage (extern "C") so that the host finds
 * them by their plain names in the PTX. A launch is 1-, 2- or 3-dimensional as in OpenCL: GID(d) is
 * blockIdx * blockDim + threadIdx along d.
 */
#ifndef TESSERA_PRELUDE
#define TESSERA_PRELUDE

#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL __shared__
#define DEVICE __device__ static inline

__device__ static inline int tessera_dim3(uint3 v, int d) {
    return d == 0 ? (int) v.x : (d == 1 ? (int) v.y : (int) v.z);
}
__device__ static inline int tessera_dim3(dim3 v, int d) {
    return d == 0 ? (int) v.x : (d == 1 ? (int) v.y : (int) v.z);
}

#define LID(d) tessera_dim3(threadIdx, (d))
#define GROUP_ID(d) tessera_dim3(blockIdx, (d))
#define LOCAL_SIZE(d) tessera_dim3(blockDim, (d))
#define NUM_GROUPS(d) tessera_dim3(gridDim, (d))
#define GID(d) (GROUP_ID(d) * LOCAL_SIZE(d) + LID(d))
#define BARRIER __syncthreads()
#define ATOMIC_CAS(p, c, v) atomicCAS((int*) (p), (c), (v))
#define FLOAT_AS_INT(x) __float_as_int(x)
#define INT_AS_FLOAT(x) __int_as_float(x)
#define POS_INF __int_as_float(0x7f800000)
#define NEG_INF __int_as_float((int) 0xff800000)
#define QUIET_NAN __int_as_float(0x7fc00000)

/* OpenCL C's unsigned type names: nvcc has them from the host's <sys/types.h>, NVRTC does not. */
#ifdef __CUDACC_RTC__
typedef unsigned int uint;
typedef unsigned long long ulong;
#endif

#endif
