package dev.tessera.opencl;

import org.jocl.CL;

/** Turns OpenCL status codes into exceptions that name the call and the device. */
final class ClCheck {
    private ClCheck() {
    }

    /**
     * Throws an {@link IllegalStateException} naming {@code what} and the OpenCL error when
     * {@code status} is not {@code CL_SUCCESS}.
     */
    static void check(int status, String what) {
        if (status != CL.CL_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + CL.stringFor_errorCode(status) + " (" + status + ")");
        }
    }
}
