package io.jedge.runtime.backend;

/**
 * How a backend session runs. Immutable; build with {@link #builder()}.
 *
 * @param intraOpThreads threads inside one operator; 0 lets the backend choose (all cores)
 * @param optimization   graph optimisation level
 * @param cudaGraphs     TensorRT only: replay the engine's work as a captured CUDA graph (fixed shapes);
 *                       backends without CUDA refuse it
 */
public record SessionOptions(int intraOpThreads, Optimization optimization, boolean cudaGraphs) {
    public SessionOptions {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("threads: " + intraOpThreads + ", expected 0 (automatic) or more");
        }
        if (optimization == null) {
            throw new IllegalArgumentException("optimization must not be null");
        }
    }

    /** Graph optimisation levels, as ONNX Runtime defines them. */
    public enum Optimization { NONE, BASIC, EXTENDED, ALL }

    public static SessionOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link SessionOptions}. */
    public static final class Builder {
        private int threads;
        private Optimization optimization = Optimization.ALL;
        private boolean cudaGraphs;

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder optimization(Optimization optimization) {
            this.optimization = optimization;
            return this;
        }

        public Builder cudaGraphs(boolean on) {
            this.cudaGraphs = on;
            return this;
        }

        public SessionOptions build() {
            return new SessionOptions(threads, optimization, cudaGraphs);
        }
    }
}
