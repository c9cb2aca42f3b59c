package io.jedge.runtime.backend.trt;

/**
 * How one IO tensor of one call reaches the engine; the policy in {@link #choose} is all of it, so it
 * is tested without a GPU.
 */
enum IoPath {
    /** Mapped pool memory given to TensorRT as the tensor's address: no copy at all. */
    BIND,
    /** Pinned pool memory (or any mapped memory while a CUDA graph fixes the addresses) copied by DMA on the stream. */
    DMA,
    /** A direct buffer outside the pool: CUDA copies from pageable memory (it stages internally; slower than DMA). */
    PAGEABLE,
    /** A heap tensor: converted into the context's own buffer on the calling thread (the float[] convenience). */
    STAGE;

    /**
     * @param mapped     the session uses mapped memory (integrated GPU)
     * @param direct     the tensor is a direct one
     * @param pooled     its memory came from the session's pool
     * @param converted  its SDK type differs from the engine's (heap float32 into a float16 input, int64 into int32)
     * @param fixedAddresses a captured CUDA graph holds the context's own buffer addresses
     */
    static IoPath choose(boolean mapped, boolean direct, boolean pooled, boolean converted, boolean fixedAddresses) {
        if (!direct || converted) {
            return STAGE;
        }
        if (!pooled) {
            return PAGEABLE;
        }
        return mapped && !fixedAddresses ? BIND : DMA;
    }
}
