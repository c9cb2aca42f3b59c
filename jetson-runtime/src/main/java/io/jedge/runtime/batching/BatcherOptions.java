package io.jedge.runtime.batching;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * Immutable settings of a {@link DynamicBatcher}, made with {@link #builder()} and checked in
 * {@link Builder#build()}.
 *
 * <pre>{@code
 * BatcherOptions options = BatcherOptions.builder()
 *         .name("vit-b16-fp16")
 *         .maxBatch(8)
 *         .maxDelay(Duration.ofMillis(2))
 *         .preferredBatchSizes(1, 2, 4, 8)
 *         .build();
 * }</pre>
 */
public final class BatcherOptions {
    private final String name;
    private final int maxBatch;
    private final Duration maxDelay;
    private final int queueCapacity;
    private final int workers;
    private final int[] preferredBatchSizes;
    private final PreferredSizePolicy preferredSizePolicy;
    private final FullQueuePolicy whenFull;
    private final Duration blockTimeout;
    private final Duration defaultTimeout;
    private final ClosePolicy onClose;
    private final boolean directStaging;

    private BatcherOptions(Builder b, int[] preferred) {
        this.name = b.name;
        this.maxBatch = b.maxBatch;
        this.maxDelay = b.maxDelay;
        this.queueCapacity = b.queueCapacity;
        this.workers = b.workers;
        this.preferredBatchSizes = preferred;
        this.preferredSizePolicy = b.preferredSizePolicy;
        this.whenFull = b.whenFull;
        this.blockTimeout = b.blockTimeout;
        this.defaultTimeout = b.defaultTimeout;
        this.onClose = b.onClose;
        this.directStaging = b.directStaging;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.maxBatch = maxBatch;
        b.maxDelay = maxDelay;
        b.queueCapacity = queueCapacity;
        b.workers = workers;
        b.preferredBatchSizes = preferredBatchSizes.clone();
        b.preferredSizePolicy = preferredSizePolicy;
        b.whenFull = whenFull;
        b.blockTimeout = blockTimeout;
        b.defaultTimeout = defaultTimeout;
        b.onClose = onClose;
        b.directStaging = directStaging;
        return b;
    }

    /** Name used in thread names, log lines and error messages; default {@code "batcher"}. */
    public String name() {
        return name;
    }

    /** Most rows in one batch (padding included); default 8. */
    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Longest time the oldest queued request waits for others to join its batch before the batch
     * runs anyway; default 2 ms. Zero runs whatever is queued as soon as a worker is free.
     */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** Most requests (not rows) waiting in the queue; default 1024. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /**
     * Workers, each running one batch at a time while it gathers the next full one (two threads a
     * worker, plus one thread for the whole batcher that completes the answers); default 1.
     */
    public int workers() {
        return workers;
    }

    /** Preferred batch sizes in ascending order; empty (the default) means every size is fine. */
    public int[] preferredBatchSizes() {
        return preferredBatchSizes.clone();
    }

    /** How preferred sizes are met; default {@link PreferredSizePolicy#SPLIT}. */
    public PreferredSizePolicy preferredSizePolicy() {
        return preferredSizePolicy;
    }

    /** What a submit does on a full queue; default {@link FullQueuePolicy#BLOCK}. */
    public FullQueuePolicy whenFull() {
        return whenFull;
    }

    /** Longest a submit blocks on a full queue under {@link FullQueuePolicy#BLOCK}; default 1 s. */
    public Duration blockTimeout() {
        return blockTimeout;
    }

    /**
     * Deadline applied by {@link DynamicBatcher#submit(java.util.Map)}, counted from the submit
     * call: a request not started by then fails with a {@link java.util.concurrent.TimeoutException}.
     * Empty (the default) means no deadline.
     */
    public Optional<Duration> defaultTimeout() {
        return Optional.ofNullable(defaultTimeout);
    }

    /** What closing does with queued requests; default {@link ClosePolicy#DRAIN}. */
    public ClosePolicy onClose() {
        return onClose;
    }

    /**
     * Whether each worker concatenates batches into direct memory it keeps and reuses (two buffers,
     * one gathered while the other runs; no allocation per batch; backends read it without a copy),
     * instead of new heap arrays. The batch function then
     * gets direct tensors and must not use them after it returns (as {@link BatchFunction} requires).
     */
    public boolean directStaging() {
        return directStaging;
    }

    @Override
    public String toString() {
        return "BatcherOptions{name=" + name + ", maxBatch=" + maxBatch + ", maxDelay=" + maxDelay
                + ", queueCapacity=" + queueCapacity + ", workers=" + workers
                + ", preferredBatchSizes=" + Arrays.toString(preferredBatchSizes)
                + ", preferredSizePolicy=" + preferredSizePolicy + ", whenFull=" + whenFull
                + ", blockTimeout=" + blockTimeout + ", defaultTimeout=" + defaultTimeout
                + ", onClose=" + onClose + ", directStaging=" + directStaging + "}";
    }

    /** Mutable builder; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private String name = "batcher";
        private int maxBatch = 8;
        private Duration maxDelay = Duration.ofMillis(2);
        private int queueCapacity = 1024;
        private int workers = 1;
        private int[] preferredBatchSizes = new int[0];
        private PreferredSizePolicy preferredSizePolicy = PreferredSizePolicy.SPLIT;
        private FullQueuePolicy whenFull = FullQueuePolicy.BLOCK;
        private Duration blockTimeout = Duration.ofSeconds(1);
        private Duration defaultTimeout;
        private ClosePolicy onClose = ClosePolicy.DRAIN;
        private boolean directStaging;

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder workers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Preferred batch sizes, in any order; none means every size is fine. */
        public Builder preferredBatchSizes(int... sizes) {
            this.preferredBatchSizes = sizes == null ? null : sizes.clone();
            return this;
        }

        public Builder preferredSizePolicy(PreferredSizePolicy policy) {
            this.preferredSizePolicy = policy;
            return this;
        }

        public Builder whenFull(FullQueuePolicy policy) {
            this.whenFull = policy;
            return this;
        }

        public Builder blockTimeout(Duration blockTimeout) {
            this.blockTimeout = blockTimeout;
            return this;
        }

        /** Deadline for requests submitted without one; {@code null} for none. */
        public Builder defaultTimeout(Duration defaultTimeout) {
            this.defaultTimeout = defaultTimeout;
            return this;
        }

        public Builder onClose(ClosePolicy policy) {
            this.onClose = policy;
            return this;
        }

        /** See {@link BatcherOptions#directStaging()}; off by default, as batch functions may read {@code floats()}. */
        public Builder directStaging(boolean on) {
            this.directStaging = on;
            return this;
        }

        /**
         * Checks and freezes the settings (the only way to a {@link BatcherOptions}).
         *
         * @throws IllegalArgumentException naming the first setting that is out of range
         */
        public BatcherOptions build() {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("batcher name: found " + quoted(name) + ", expected a non-blank name");
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch of batcher '" + name + "': found " + maxBatch + ", expected >= 1");
            }
            checkDuration("maxDelay", maxDelay, false);
            if (queueCapacity < 1) {
                throw new IllegalArgumentException(
                        "queueCapacity of batcher '" + name + "': found " + queueCapacity + ", expected >= 1");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers of batcher '" + name + "': found " + workers + ", expected >= 1");
            }
            requirePolicy("preferredSizePolicy", preferredSizePolicy);
            requirePolicy("whenFull", whenFull);
            requirePolicy("onClose", onClose);
            checkDuration("blockTimeout", blockTimeout, false);
            if (defaultTimeout != null) {
                checkDuration("defaultTimeout", defaultTimeout, true);
            }
            if (preferredBatchSizes == null) {
                throw new IllegalArgumentException(
                        "preferredBatchSizes of batcher '" + name + "': found null, expected sizes or none");
            }
            int[] preferred = preferredBatchSizes.clone();
            Arrays.sort(preferred);
            for (int i = 0; i < preferred.length; i++) {
                if (preferred[i] < 1 || preferred[i] > maxBatch) {
                    throw new IllegalArgumentException("preferredBatchSizes of batcher '" + name + "': found "
                            + preferred[i] + " in " + Arrays.toString(preferredBatchSizes) + ", expected sizes in 1.."
                            + maxBatch + " (maxBatch)");
                }
                if (i > 0 && preferred[i] == preferred[i - 1]) {
                    throw new IllegalArgumentException("preferredBatchSizes of batcher '" + name + "': found "
                            + preferred[i] + " twice in " + Arrays.toString(preferredBatchSizes) + ", expected distinct sizes");
                }
            }
            if (preferredSizePolicy == PreferredSizePolicy.PAD && preferred.length > 0
                    && preferred[preferred.length - 1] != maxBatch) {
                throw new IllegalArgumentException("preferredBatchSizes of batcher '" + name + "': found "
                        + Arrays.toString(preferred) + ", expected them to include maxBatch " + maxBatch
                        + " under policy PAD (a full batch must be paddable to a preferred size)");
            }
            return new BatcherOptions(this, preferred);
        }

        private void checkDuration(String what, Duration d, boolean positive) {
            String expected = positive ? "a positive duration" : "a duration >= 0";
            if (d == null || d.isNegative() || (positive && d.isZero())) {
                throw new IllegalArgumentException(what + " of batcher '" + name + "': found " + d + ", expected " + expected);
            }
            try {
                d.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(
                        what + " of batcher '" + name + "': found " + d + ", expected at most " + Duration.ofNanos(Long.MAX_VALUE));
            }
        }

        private void requirePolicy(String what, Enum<?> policy) {
            if (policy == null) {
                throw new IllegalArgumentException(what + " of batcher '" + name + "': found null, expected a policy");
            }
        }

        private static String quoted(String s) {
            return s == null ? "null" : "'" + s + "'";
        }
    }
}
