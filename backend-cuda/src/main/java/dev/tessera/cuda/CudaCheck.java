package dev.tessera.cuda;

import jcuda.driver.CUresult;

/** Turns CUDA driver status codes into exceptions that name the call and the device. */
final class CudaCheck {
    private CudaCheck() {
    }

    /**
     * Throws an {@link IllegalStateException} naming {@code what} and the CUDA error when {@code
     * status} is not {@code CUDA_SUCCESS}.
     */
    static void check(int status, String what) {
        if (status != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + CUresult.stringFor(status) + " (" + status + ")");
        }
    }
}
