package io.jedge.runtime.backend.trt;

/**
 * Which host memory a session's IO lives in, chosen from the GPU: an integrated GPU (Jetson) shares
 * the host's DRAM, so mapped memory is used by the GPU as it is; a discrete GPU reads pinned memory
 * by DMA into its own, which is what TensorRT's samples do ({@code UnifiedMirroredBuffer} vs
 * {@code DiscreteMirroredBuffer}).
 */
public enum HostMemory {
    /** Page-locked host memory, copied to and from device buffers on the context's stream. */
    PINNED,
    /** Page-locked, mapped into the GPU's address space; bound as the tensor address, no copy. */
    MAPPED;

    static HostMemory forPlatform(boolean integrated) {
        return integrated ? MAPPED : PINNED;
    }
}
