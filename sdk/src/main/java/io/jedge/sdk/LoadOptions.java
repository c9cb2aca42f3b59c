package io.jedge.sdk;

import io.jedge.sdk.bundle.Precision;
import java.time.Duration;

/**
 * How to load a bundle. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * LoadOptions o = LoadOptions.builder().goal(Goal.THROUGHPUT).threads(4).maxBatch(8).build();
 * }</pre>
 *
 * @param goal           what the variant choice optimises
 * @param threads        CPU threads per inference (0: all cores)
 * @param backend        {@code auto}, {@code ort-cpu} or {@code tensorrt}
 * @param variant        force this variant id (null: let the runtime choose)
 * @param precisionFloor lowest precision allowed (FP32 allows only FP32; INT8 allows all)
 * @param minFidelity    lowest fidelity cosine an attention rewrite may have (null: no bound)
 * @param maxBatch       largest dynamic batch (0: the variant's and goal's choice)
 * @param maxDelay       longest a request waits for others to batch with
 * @param simulate       run the selection as {@code MODULE:MODE} would (e.g. {@code orin-nano-8gb:15W}); null for this host
 * @param autotune       measure the candidates briefly on this device when no figures exist
 * @param watchPower     follow power-mode changes and re-select
 * @param buildEngines   where TensorRT runs, build the engines this device lacks (or has stale) from the bundle's
 *                       ONNX variants before choosing, and cache them in the bundle (default on; the first load
 *                       then takes minutes)
 * @param queueCapacity  most requests waiting for a batch (default 1024)
 * @param queueWait      longest {@code runAsync} blocks its caller on a full queue (default 1 s); past it the
 *                       returned future fails with {@link JedgeException.Code#UNAVAILABLE} (back-pressure:
 *                       retry later, shed load, or load with a larger bound)
 */
public record LoadOptions(Goal goal, int threads, String backend, String variant, Precision precisionFloor,
        Double minFidelity, int maxBatch, Duration maxDelay, String simulate, boolean autotune, boolean watchPower,
        boolean buildEngines, int queueCapacity, Duration queueWait) {
    /** Checks every value, so that no construction path skips a check. */
    public LoadOptions {
        if (goal == null) {
            throw new IllegalArgumentException("goal must be LATENCY or THROUGHPUT, not null");
        }
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads: " + threads + ", expected 0 (all cores) to " + MAX_THREADS);
        }
        if (queueCapacity < 1 || queueCapacity > MAX_QUEUE_CAPACITY) {
            throw new IllegalArgumentException("queueCapacity: " + queueCapacity + ", expected 1 to " + MAX_QUEUE_CAPACITY);
        }
        if (!("auto".equals(backend) || "ort-cpu".equals(backend) || "tensorrt".equals(backend))) {
            throw new IllegalArgumentException("backend '" + backend + "', expected auto, ort-cpu or tensorrt");
        }
        if (minFidelity != null && !(minFidelity > 0 && minFidelity <= 1)) {
            throw new IllegalArgumentException("minFidelity " + minFidelity + ", expected a cosine in (0, 1]");
        }
        if (maxBatch < 0) {
            throw new IllegalArgumentException("maxBatch " + maxBatch + ", expected 0 (automatic) or more");
        }
        if (maxDelay == null || maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + ", expected zero or more");
        }
        if (queueWait == null || queueWait.isNegative() || queueWait.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("queueWait " + queueWait + ", expected zero to one hour");
        }
        if (simulate != null && !simulate.matches("[a-z0-9-]+:.+")) {
            throw new IllegalArgumentException("simulate '" + simulate + "', expected MODULE:MODE such as orin-nano-8gb:15W");
        }
        if (precisionFloor == null) {
            precisionFloor = Precision.INT8;
        }
    }


    /** More threads than this only slows a session down (and used to hang its creation). */
    public static final int MAX_THREADS = 1024;
    /** Largest request queue; each waiting request holds its input tensors. */
    public static final int MAX_QUEUE_CAPACITY = 1 << 20;

    public static LoadOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link LoadOptions}; the record's constructor validates. */
    public static final class Builder {
        private Goal goal = Goal.LATENCY;
        private int threads;
        private String backend = "auto";
        private String variant;
        private Precision precisionFloor = Precision.INT8;
        private Double minFidelity;
        private int maxBatch;
        private Duration maxDelay = Duration.ofMillis(2);
        private String simulate;
        private boolean autotune;
        private boolean watchPower = true;
        private boolean buildEngines = true;
        private int queueCapacity = 1024;
        private Duration queueWait = Duration.ofSeconds(1);

        public Builder goal(Goal g) {
            goal = g;
            return this;
        }

        public Builder threads(int n) {
            threads = n;
            return this;
        }

        public Builder backend(String b) {
            backend = b;
            return this;
        }

        public Builder variant(String id) {
            variant = id;
            return this;
        }

        public Builder precisionFloor(Precision p) {
            precisionFloor = p;
            return this;
        }

        public Builder minFidelity(Double f) {
            minFidelity = f;
            return this;
        }

        public Builder maxBatch(int n) {
            maxBatch = n;
            return this;
        }

        public Builder maxDelay(Duration d) {
            maxDelay = d;
            return this;
        }

        public Builder simulate(String moduleAndMode) {
            simulate = moduleAndMode;
            return this;
        }

        public Builder autotune(boolean on) {
            autotune = on;
            return this;
        }

        public Builder watchPower(boolean on) {
            watchPower = on;
            return this;
        }

        /** Off: never build TensorRT engines on load (use only those the bundle has). */
        public Builder buildEngines(boolean on) {
            buildEngines = on;
            return this;
        }

        /** Most requests waiting for a batch (default 1024); see {@link LoadOptions#queueCapacity()}. */
        public Builder queueCapacity(int n) {
            queueCapacity = n;
            return this;
        }

        /** Longest {@code runAsync} blocks on a full queue before failing the future (default 1 s; zero: never block). */
        public Builder queueWait(Duration d) {
            queueWait = d;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(goal, threads, backend, variant, precisionFloor, minFidelity, maxBatch, maxDelay, simulate, autotune,
                    watchPower, buildEngines, queueCapacity, queueWait);
        }
    }
}
