package io.jedge.runtime.bench;

import io.jedge.runtime.selection.DeviceContext;
import java.util.List;

/**
 * What {@link BundleBench#run} measures and where it records it. Immutable; the constructor checks
 * every value, so a bad one fails before any bundle is read or session opened ({@link BenchOptionException},
 * naming the component).
 *
 * <pre>{@code
 * BundleBenchOptions o = BundleBenchOptions.builder(env.current()).batches(List.of(1, 8)).seconds(2).build();
 * }</pre>
 *
 * @param variantIds variants to measure (empty: every variant a present backend can run)
 * @param batches    batch sizes, each 1..{@value #MAX_BATCH}
 * @param seconds    measuring time per variant and batch, in (0, 3600]
 * @param threads    CPU threads per session (0: all cores), at most {@value #MAX_THREADS}
 * @param device     where the figures are recorded as measured
 * @param record     whether the figures are written into the bundle
 * @param power      samples board power around each measurement ({@link BundleBench#NO_POWER} for none)
 * @param tuning     IO paths to time and CUDA graphs ({@link BundleBench.Tuning#DEFAULT}: heap, no graphs)
 */
public record BundleBenchOptions(List<String> variantIds, List<Integer> batches, double seconds, int threads, DeviceContext device,
        boolean record, BundleBench.PowerMeter power, BundleBench.Tuning tuning) {
    /** Largest batch measured: a variant's own limit, {@link io.jedge.sdk.bundle.Variant#MAX_BATCH}. */
    public static final int MAX_BATCH = io.jedge.sdk.bundle.Variant.MAX_BATCH;
    /** The longest a variant and batch may be timed, in seconds. */
    public static final double MAX_SECONDS = 3600;
    /** As {@link io.jedge.sdk.LoadOptions#MAX_THREADS}. */
    public static final int MAX_THREADS = io.jedge.sdk.LoadOptions.MAX_THREADS;

    public BundleBenchOptions {
        variantIds = variantIds == null ? List.of() : List.copyOf(variantIds);
        if (batches == null || batches.isEmpty()) {
            throw new BenchOptionException("batches", "none given", "at least one batch size such as 1");
        }
        check(batches, seconds, threads);
        batches = List.copyOf(batches);
        if (device == null) {
            throw new IllegalArgumentException("device context must not be null; use Environment.current() or a simulated one");
        }
        if (power == null) {
            throw new IllegalArgumentException("power meter must not be null; use BundleBench.NO_POWER");
        }
        if (tuning == null) {
            throw new IllegalArgumentException("tuning must not be null; use BundleBench.Tuning.DEFAULT");
        }
    }

    /**
     * The one range check for what bench and quickstart time, callable before a bundle is read:
     * a batch outside 1..{@link #MAX_BATCH}, seconds outside (0, {@link #MAX_SECONDS}] (NaN included).
     *
     * @throws BenchOptionException naming {@code batches} or {@code seconds}
     */
    public static void check(List<Integer> batches, double seconds, int threads) {
        for (Integer b : batches) {
            if (b == null || b < 1 || b > MAX_BATCH) {
                throw new BenchOptionException("batches", b, "1 to " + MAX_BATCH);
            }
        }
        if (!(seconds > 0 && seconds <= MAX_SECONDS)) {
            throw new BenchOptionException("seconds", seconds, "a number of seconds in (0, " + (int) MAX_SECONDS + "]");
        }
        if (threads < 0 || threads > MAX_THREADS) {
            throw new BenchOptionException("threads", threads, "0 (all cores) to " + MAX_THREADS);
        }
    }

    /** Batches 1, 2 s per row, all cores, recorded, no power meter. */
    public static Builder builder(DeviceContext device) {
        return new Builder(device);
    }

    /** Builder for {@link BundleBenchOptions}; the record's constructor validates. */
    public static final class Builder {
        private final DeviceContext device;
        private List<String> variantIds = List.of();
        private List<Integer> batches = List.of(1);
        private double seconds = 2;
        private int threads;
        private boolean record = true;
        private BundleBench.PowerMeter power = BundleBench.NO_POWER;
        private BundleBench.Tuning tuning = BundleBench.Tuning.DEFAULT;

        private Builder(DeviceContext device) {
            this.device = device;
        }

        /** Variants to measure; null or empty for all. */
        public Builder variants(List<String> ids) {
            this.variantIds = ids;
            return this;
        }

        public Builder batches(List<Integer> batches) {
            this.batches = batches;
            return this;
        }

        public Builder seconds(double seconds) {
            this.seconds = seconds;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder record(boolean record) {
            this.record = record;
            return this;
        }

        public Builder power(BundleBench.PowerMeter power) {
            this.power = power;
            return this;
        }

        public Builder tuning(BundleBench.Tuning tuning) {
            this.tuning = tuning;
            return this;
        }

        public BundleBenchOptions build() {
            return new BundleBenchOptions(variantIds, batches, seconds, threads, device, record, power, tuning);
        }
    }
}
