package io.jedge.runtime.bench;

import io.jedge.runtime.backend.Backend;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.selection.DeviceContext;
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
            Double powerW, Double joulesPerInference) {
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
        for (String id : variantIds) {
            if (bundle.manifest().variant(id).isEmpty()) {
                throw new IllegalArgumentException("--variants: no variant '" + id + "' in bundle '" + bundle.manifest().name()
                        + "'; its variants are " + String.join(", ", bundle.manifest().variants().stream().map(Variant::id).toList()));
            }
        }
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
            try (InferenceSession s = backend.get().open(bundle, v, SessionOptions.builder().threads(threads).build())) {
                for (int b : options.batches()) {
                    if (!v.acceptsBatch(b)) {
                        String why = "skip " + v.id() + " batch " + b + ": outside its range " + v.batchMin() + ".." + v.batchMax();
                        skipped.add(why);
                        progress.accept(why);
                        continue;
                    }
                    Map<String, Tensor> in = LatencyBench.syntheticInputs(s.inputs(), b, 42);
                    PowerMeter.Sample sample = power.start();
                    LatencyBench.Stats st = LatencyBench.measure(s, in, 2, options.seconds(), 5);
                    Double watts = sample.stopWatts();
                    Double joules = watts == null ? null : watts / st.throughputPerSec();
                    Row r = new Row(v.id(), s.backendName(), b, st.runs(), st.p50Ms(), st.p95Ms(), st.throughputPerSec(), watts, joules);
                    rows.add(r);
                    progress.accept(String.format("%-24s %-8s batch %3d  p50 %9.2f ms  p95 %9.2f ms  %9.1f /s  (%d runs)%s",
                            v.id(), r.backend(), b, r.p50Ms(), r.p95Ms(), r.throughputPerSec(), r.runs(),
                            watts == null ? "" : String.format("  %.2f W  %.4f J/inference", watts, joules)));
                    figures.add(Map.entry(v.id(), new Figure(ctx.deviceId(), ctx.figureMode(), s.backendName(),
                            threads, b, st.p50Ms(), st.p95Ms(), st.throughputPerSec(), watts, joules, now, ctx.simulated())));
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
}
