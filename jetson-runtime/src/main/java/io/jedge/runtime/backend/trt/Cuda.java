package io.jedge.runtime.backend.trt;

import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;

import io.jedge.sdk.JedgeException;

/** CUDA status checks: a non-zero status becomes a {@code RUN_FAILED} naming the call. */
final class Cuda {
    private Cuda() {
    }

    static void check(int status, String what) {
        if (status != 0) {
            throw new JedgeException(JedgeException.Code.RUN_FAILED, what + " failed: " + describe(status));
        }
    }

    static String describe(int status) {
        return "CUDA error " + status + " (" + cudaGetErrorName(status).getString() + ": "
                + cudaGetErrorString(status).getString() + ")";
    }
}
