package io.jedge.runtime.backend.trt;

/**
 * Where the time of one {@code run} went. GPU figures come from CUDA events recorded on the
 * context's stream; on an integrated GPU (mapped host buffers) the copies are zero.
 * {@code wallNanos - gpuMillis} is the Java-side overhead: validation, conversion, JNI, sync.
 *
 * @param wallNanos     whole call, from entry to returned tensors
 * @param h2dMillis     host-to-device copies
 * @param computeMillis {@code enqueueV3} work
 * @param d2hMillis     device-to-host copies
 * @param batch         first dimension of the first input
 */
public record RunTiming(long wallNanos, double h2dMillis, double computeMillis, double d2hMillis, long batch) {
    /** Copies plus compute, as the GPU saw them. */
    public double gpuMillis() {
        return h2dMillis + computeMillis + d2hMillis;
    }

    public double wallMillis() {
        return wallNanos / 1e6;
    }

    /** Wall time not spent on the GPU, in milliseconds (never negative). */
    public double overheadMillis() {
        return Math.max(0, wallMillis() - gpuMillis());
    }
}
