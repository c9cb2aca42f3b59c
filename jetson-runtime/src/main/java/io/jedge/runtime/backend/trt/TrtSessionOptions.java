package io.jedge.runtime.backend.trt;

/**
 * How a TensorRT session runs. Immutable and checked on construction; build with {@link #builder()}.
 *
 * @param maxContexts       execution contexts (= concurrent calls); each has its own stream and
 *                          buffers sized for the profile's largest shapes, so each costs memory
 * @param device            CUDA device index
 * @param strictDeviceMatch refuse an engine whose fingerprint differs in any field (GPU model,
 *                          CUDA minor, L4T), not only in blocking ones
 * @param cudaGraphs        replay each context's engine work as a captured CUDA graph (fewer launches);
 *                          off by default; engines whose inputs take more than one shape are refused
 */
public record TrtSessionOptions(int maxContexts, int device, boolean strictDeviceMatch, boolean cudaGraphs) {
    /** Upper bound on contexts per session: each one holds a full set of IO and activation buffers. */
    public static final int MAX_CONTEXTS = 64;

    public TrtSessionOptions {
        if (maxContexts < 1 || maxContexts > MAX_CONTEXTS) {
            throw new IllegalArgumentException("maxContexts: " + maxContexts + ", expected 1.." + MAX_CONTEXTS);
        }
        if (device < 0) {
            throw new IllegalArgumentException("device: " + device + ", expected a CUDA device index of 0 or more");
        }
    }

    public static TrtSessionOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link TrtSessionOptions}. */
    public static final class Builder {
        private int maxContexts = 2;
        private int device;
        private boolean strict;
        private boolean cudaGraphs;

        public Builder maxContexts(int maxContexts) {
            this.maxContexts = maxContexts;
            return this;
        }

        public Builder device(int device) {
            this.device = device;
            return this;
        }

        public Builder strictDeviceMatch(boolean strict) {
            this.strict = strict;
            return this;
        }

        public Builder cudaGraphs(boolean on) {
            this.cudaGraphs = on;
            return this;
        }

        public TrtSessionOptions build() {
            return new TrtSessionOptions(maxContexts, device, strict, cudaGraphs);
        }
    }
}
