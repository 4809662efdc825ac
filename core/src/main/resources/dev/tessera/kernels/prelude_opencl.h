/*
 * Tessera kernel prelude for OpenCL C 1.2.
 *
 * The kernels in this directory (*.c) are written once in a small subset of C and compiled as
 * OpenCL C (this prelude, then common.h, then the .c file) or as CUDA C (prelude_cuda.h maps the
 * same names). Kernel code uses only these names for anything that differs between the two:
 *
 *   KERNEL            a kernel entry point:            KERNEL void f(...)
 *   GLOBAL            a pointer into device memory:    GLOBAL const float* x
 *   LOCAL             work-group shared memory:        LOCAL float buf[64];  (declared in a kernel body)
 *   DEVICE            a helper function:               DEVICE float f(float x)
 *   GID(d)            global index in dimension d (0, 1, 2), as int
 *   LID(d)            index within the work-group in dimension d
 *   GROUP_ID(d)       work-group index in dimension d
 *   LOCAL_SIZE(d)     work-group size in dimension d
 *   NUM_GROUPS(d)     number of work-groups in dimension d
 *   BARRIER           work-group barrier with a local-memory fence (every item of the group must reach it)
 *   ATOMIC_CAS(p,c,v) 32-bit compare-and-swap on a GLOBAL int*: returns the old value
 *   FLOAT_AS_INT(x), INT_AS_FLOAT(x)   bit casts
 *   POS_INF, NEG_INF, QUIET_NAN        float constants
 *
 * Math: exp, log, sqrt, sin, cos, tanh, erfc, pow, fabs, floor, isnan are called by their OpenCL
 * names with float arguments; CUDA C++ has float overloads of all of them. Kernel arguments are
 * ints, floats, pointers, and structs of ints passed by value (see Layout in common.h).
 */
#ifndef TESSERA_PRELUDE
#define TESSERA_PRELUDE

#define KERNEL __kernel
#define GLOBAL __global
#define LOCAL __local
#define DEVICE
#define GID(d) ((int) get_global_id(d))
#define LID(d) ((int) get_local_id(d))
#define GROUP_ID(d) ((int) get_group_id(d))
#define LOCAL_SIZE(d) ((int) get_local_size(d))
#define NUM_GROUPS(d) ((int) get_num_groups(d))
#define BARRIER barrier(CLK_LOCAL_MEM_FENCE)
#define ATOMIC_CAS(p, c, v) atomic_cmpxchg((volatile GLOBAL int*) (p), (c), (v))
#define FLOAT_AS_INT(x) as_int(x)
#define INT_AS_FLOAT(x) as_float(x)
#define POS_INF INFINITY
#define NEG_INF (-INFINITY)
#define QUIET_NAN NAN

#endif
