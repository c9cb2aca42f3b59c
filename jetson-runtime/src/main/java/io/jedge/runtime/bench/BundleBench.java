package io.jedge.runtime.bench;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.selection.DeviceContext;
import io.jedge.runtime.selection.VariantSelector;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Figure;
import io.jedge.sdk.bundle.Variant;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Benchmarks a bundle's variants on this device and records the figures in the bundle. */
public final class BundleBench {
    private BundleBench() {
    }

    /**
     * One measured (variant, batch) row; {@code powerW} and {@code joulesPerInference} are null
     * without a power meter or where the device has no power telemetry.
     */
    public record Row(String variant, String backend, int batch, int runs, double p50Ms, double p95Ms, double throughputPerSec,
            Double powerW, Double joulesPerInference, LatencyBench.Io io, double p90Ms, double p99Ms, LatencyBench.Split split) {
    }

    /**
     * How sessions are driven: the IO paths to time (the first one's figures are recorded) and
     * whether TensorRT replays CUDA graphs (other backends are then skipped).
     */
    public record Tuning(List<LatencyBench.Io> io, boolean cudaGraphs) {
        public static final Tuning DEFAULT = new Tuning(List.of(LatencyBench.Io.HEAP), false);

        public Tuning {
            if (io == null || io.isEmpty()) {
                throw new IllegalArgumentException("tuning io: none given, expected at least one IO path to time "
                        + java.util.Arrays.toString(LatencyBench.Io.values()).replace('[', '(').replace(']', ')'));
            }
            if (io.stream().anyMatch(java.util.Objects::isNull)) { // List.of's contains(null) throws
                throw new IllegalArgumentException("tuning io: " + io + ", expected IO paths without null");
            }
            io = List.copyOf(io);
        }
    }

    /** Average board power over one measurement (e.g. from INA3221 rails). */
    public interface PowerMeter {
        /** Starts sampling; the returned sample's {@link Sample#stopWatts()} ends it. */
        Sample start();

        /** One running sampling. */
        interface Sample {
            /** Mean watts since start, or null where there is no telemetry. */
            Double stopWatts();
        }
    }

    /** No telemetry: power and energy stay null. */
    public static final PowerMeter NO_POWER = () -> () -> null;

    /** What a run produced: rows, and the bundle with the figures added (already written when {@code record}). */
    public record Outcome(List<Row> rows, Bundle bundle, List<String> skipped) {
    }

    /**
     * Measures every chosen (variant, batch) on the first present backend that runs it.
     *
     * @param progress one line per measured row and per skip
     */
    public static Outcome run(Bundle bundle, BundleBenchOptions options, Consumer<String> progress) throws BundleException {
        List<String> variantIds = options.variantIds();
        DeviceContext ctx = options.device();
        int threads = options.threads();
        PowerMeter power = options.power();
        Tuning tuning = options.tuning();
        double seconds = options.seconds();
        variantIds.forEach(id -> VariantSelector.requireKnownVariant(bundle.manifest(), id));
        List<Row> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<Map.Entry<String, Figure>> figures = new ArrayList<>();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (Variant v : bundle.manifest().variants()) {
            if (!variantIds.isEmpty() && !variantIds.contains(v.id())) {
                continue;
            }
            Optional<Backend> backend = Backends.all().stream()
                    .filter(b -> b.supports(v.format()) && b.unavailableReason().isEmpty()).findFirst();
            if (backend.isEmpty()) {
                String why = "skip " + v.id() + ": no backend for " + v.format().id() + " here";
                skipped.add(why);
                progress.accept(why);
                continue;
            }
            if (tuning.cudaGraphs() && !backend.get().name().equals("tensorrt")) {
                String why = "skip " + v.id() + ": CUDA graphs apply to TensorRT engines only, and it runs on " + backend.get().name();
                skipped.add(why);
                progress.accept(why);
                continue;
            }
            SessionOptions opts = SessionOptions.builder().threads(threads).cudaGraphs(tuning.cudaGraphs()).build();
            try (InferenceSession s = backend.get().open(bundle, v, opts)) {
                for (int b : options.batches()) {
                    if (!v.acceptsBatch(b)) {
                        String why = "skip " + v.id() + " batch " + b + ": outside its range " + v.batchMin() + ".." + v.batchMax();
                        skipped.add(why);
                        progress.accept(why);
                        continue;
                    }
                    Map<String, Tensor> in;
                    try {
                        in = SeededInputs.feed(s.inputs(), b, 42);
                    } catch (IllegalArgumentException e) {
                        // a diffusion bundle's decoder takes any latent size: failing here lost every figure timed before it
                        String why = "skip " + v.id() + ": " + e.getMessage().replace(", give the inputs explicitly", "")
                                + " (bench seeds only the batch)";
                        skipped.add(why);
                        progress.accept(why);
                        break;
                    }
                    for (LatencyBench.Io io : tuning.io()) {
                        PowerMeter.Sample sample = power.start();
                        LatencyBench.Stats st;
                        if (io == LatencyBench.Io.HEAP) {
                            st = LatencyBench.measure(s, in, 2, seconds, 5);
                        } else {
                            try (LatencyBench.DirectIo d = LatencyBench.directIo(s, in)) {
                                st = LatencyBench.measure(s, d.inputs(), d.outputs(), 2, seconds, 5);
                            }
                        }
                        Double watts = sample.stopWatts();
                        Double joules = watts == null ? null : watts / st.throughputPerSec();
                        Row r = new Row(v.id(), s.backendName(), b, st.runs(), st.p50Ms(), st.p95Ms(), st.throughputPerSec(),
                                watts, joules, io, st.p90Ms(), st.p99Ms(), st.split());
                        rows.add(r);
                        progress.accept(String.format("%-24s %-8s batch %3d %-6s p50 %9.3f ms  p90 %9.3f ms  p95 %9.3f ms"
                                + "  p99 %9.3f ms  %9.1f /s  (%d runs)%s", v.id(), r.backend(), b,
                                io.name().toLowerCase(java.util.Locale.ROOT), r.p50Ms(), r.p90Ms(), r.p95Ms(), r.p99Ms(),
                                r.throughputPerSec(), r.runs(),
                                watts == null ? "" : String.format("  %.2f W  %.4f J/inference", watts, joules)));
                        progress.accept("    split: " + (st.split() != null ? st.split().describe()
                                : "not available on " + s.backendName() + " (it runs on the CPU: no device copies or CUDA "
                                        + "events to time)"));
                        if (io == tuning.io().get(0)) {
                            figures.add(Map.entry(v.id(), new Figure(ctx.deviceId(), ctx.figureMode(), s.backendName(),
                                    threads, b, st.p50Ms(), st.p95Ms(), st.throughputPerSec(), watts, joules, now,
                                    ctx.simulated())));
                        }
                    }
                }
            }
        }
        Bundle updated = bundle;
        if (options.record() && !rows.isEmpty()) {
            // applied to bundle.json as it is now, so figures another bench recorded meanwhile stay
            updated = bundle.update(current -> {
                BundleManifest m = current;
                for (Map.Entry<String, Figure> f : figures) {
                    Optional<Variant> v = m.variant(f.getKey());
                    if (v.isPresent()) {
                        m = m.withVariant(v.get().withFigure(f.getValue()));
                    }
                }
                return m;
            });
        }
        return new Outcome(rows, updated, skipped);
    }

    /**
     * {@link BatcherBench} on each variant (null or empty: all a present backend can run) whose batch
     * range reaches {@code maxBatch}: the closed-loop comparison ({@link BatcherBench#run}, one progress line per
     * round and one {@code RESULT batcher} line per variant) or, for an open-loop plan, latency at each offered load
     * ({@link BatcherBench#openLoop}, one progress line and one {@code RESULT batcher-open-loop} line per rate).
     *
     * @return how many variants were measured
     */
    public static int batcher(Bundle bundle, List<String> variantIds, int threads, BatcherBench.Plan plan,
            Consumer<String> progress) throws InterruptedException {
        int maxBatch = plan.maxBatch();
        int measured = 0;
        if (variantIds != null) { // a mistyped id would otherwise measure nothing and say nothing
            variantIds.forEach(id -> VariantSelector.requireKnownVariant(bundle.manifest(), id));
        }
        for (Variant v : bundle.manifest().variants()) {
            if (variantIds != null && !variantIds.isEmpty() && !variantIds.contains(v.id())) {
                continue;
            }
            Optional<Backend> backend = Backends.all().stream()
                    .filter(b -> b.supports(v.format()) && b.unavailableReason().isEmpty()).findFirst();
            if (backend.isEmpty() || !v.acceptsBatch(maxBatch) || !v.acceptsBatch(1)) {
                progress.accept("skip " + v.id() + ": " + (backend.isEmpty() ? "no backend for " + v.format().id() + " here"
                        : "batch range " + v.batchMin() + ".." + v.batchMax() + " does not hold 1 and " + maxBatch));
                continue;
            }
            try (InferenceSession s = backend.get().open(bundle, v, SessionOptions.builder().threads(threads).build())) {
                Map<String, Tensor> row = SeededInputs.feed(s.inputs(), 1, 42);
                if (plan.isOpenLoop()) {
                    progress.accept("batcher on " + v.id() + " (" + s.backendName() + "): max batch " + maxBatch + ", open loop at "
                            + plan.openLoopRates() + " req/s, " + plan.seconds() + " s each");
                    for (BatcherBench.LoadPoint p : BatcherBench.openLoop(s, row, plan, progress)) {
                        progress.accept(BatcherBench.openLoopResultLine(v.id(), s.backendName(), maxBatch, p));
                    }
                } else {
                    progress.accept("batcher on " + v.id() + " (" + s.backendName() + "): max batch " + maxBatch + ", "
                            + plan.clients() + (plan.asyncClients() ? " async clients (answer callbacks)" : " clients") + ", "
                            + plan.rounds() + " rounds");
                    progress.accept(BatcherBench.resultLine(v.id(), s.backendName(), BatcherBench.run(s, row, plan, progress)));
                }
                measured++;
            }
        }
        return measured;
    }
}
