package io.jedge.runtime.backend.trt.build;

import io.jedge.runtime.backend.trt.EngineCompatibility;
import io.jedge.runtime.backend.trt.TrtBackend;
import io.jedge.runtime.backend.trt.TrtPlatform;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Engines built where they run, cached beside the bundle. For each chosen ONNX variant it keeps one
 * engine variant ({@code <id>-trt}, file {@code <id>-trt.plan}) whose fingerprint records the
 * TensorRT version, GPU, compute capability and CUDA it was built with. An engine that is missing,
 * or whose TensorRT version, compute capability or CUDA major version differs from this device's
 * (what {@link EngineCompatibility} calls blocking), is (re)built; one that fits is left alone. A failed build, or a bundle directory that cannot be written, is
 * reported and skipped: the ONNX variants still run, nothing is thrown for one variant.
 *
 * <pre>{@code
 * EngineCache.Result r = new EngineCache(TrtBuildOptions.defaults(), System.err::println).ensure(bundle, v -> true);
 * Bundle updated = r.bundle();
 * }</pre>
 *
 * Not thread-safe; two processes building for the same bundle at once both build, and the last
 * manifest written wins.
 */
public final class EngineCache {
    /** What happened to one ONNX variant's engine. */
    public enum Status { UP_TO_DATE, BUILT, REBUILT, FAILED }

    /** Source-variant attribute: the TensorRT and GPU an engine build of it failed on. */
    public static final String FAILED_ON = "engineBuildFailedOn";

    /**
     * @param source the ONNX variant
     * @param engine the engine variant's id
     * @param detail why it was (re)built, or why it failed
     */
    public record Outcome(String source, String engine, Status status, String detail) {
    }

    /** The bundle after the engines were ensured, and one outcome per ONNX variant considered. */
    public record Result(Bundle bundle, List<Outcome> outcomes) {
        public Result {
            outcomes = List.copyOf(outcomes);
        }

        public boolean changed() {
            return outcomes.stream().anyMatch(o -> o.status() == Status.BUILT || o.status() == Status.REBUILT);
        }
    }

    /** Suffix of an engine variant's id and file, after the source variant's id. */
    public static final String SUFFIX = "-trt";

    private final TrtBuildOptions options;
    private final Consumer<String> progress;
    private final Supplier<TrtPlatform> platform;
    private final BiFunction<Path, Consumer<String>, EnginePlan> builder;

    public EngineCache(TrtBuildOptions options, Consumer<String> progress) {
        this(options, progress, () -> new TrtBackend().platform(options.device()),
                (onnx, p) -> new TrtEngineBuilder(options).onProgress(p).build(onnx));
    }

    /** For tests: a fake platform and builder. */
    EngineCache(TrtBuildOptions options, Consumer<String> progress, Supplier<TrtPlatform> platform,
            BiFunction<Path, Consumer<String>, EnginePlan> builder) {
        this.options = Objects.requireNonNull(options, "options");
        this.progress = progress == null ? s -> { } : progress;
        this.platform = platform;
        this.builder = builder;
    }

    /** The batch range an engine is built for by default: the ONNX variant's, at most 32. */
    public static int[] defaultBatch(Variant v) {
        int max = Math.max(1, Math.min(v.batchMax(), 32));
        int opt = Math.max(1, Math.min(v.batchOpt(), max));
        int min = Math.max(1, Math.min(v.batchMin(), opt));
        return new int[] {min, opt, max};
    }

    /** Empty when engines can be built here; otherwise the one-line reason. */
    public static Optional<String> unavailableReason() {
        return TrtEngineBuilder.unavailableReason();
    }

    /**
     * Builds the engines of the ONNX variants {@code which} accepts that are missing or stale for
     * this device, records them in the bundle's manifest and returns the updated bundle.
     *
     * @throws io.jedge.sdk.JedgeException {@code BACKEND_UNAVAILABLE} when TensorRT cannot run here at all
     */
    public Result ensure(Bundle bundle, Predicate<Variant> which) {
        return ensure(bundle, which, false);
    }

    /**
     * As {@link #ensure(Bundle, Predicate)}; a build that failed before on this TensorRT and GPU is
     * skipped (recorded in the source variant's {@value #FAILED_ON} attribute, so a load does not
     * spend minutes failing again) unless {@code retryFailed}, which {@code jedge build-engines} sets.
     */
    public Result ensure(Bundle bundle, Predicate<Variant> which, boolean retryFailed) {
        TrtPlatform here = platform.get();
        String hereKey = here.tensorrt() + " on " + here.gpu();
        BundleManifest manifest = bundle.manifest();
        List<Outcome> outcomes = new ArrayList<>();
        for (Variant v : bundle.manifest().variants()) {
            if (v.format() != VariantFormat.ONNX || !which.test(v)) {
                continue;
            }
            String id = v.id() + SUFFIX;
            Optional<Variant> existing = manifest.variant(id);
            Optional<String> stale = existing.isEmpty() ? Optional.of("no engine for this device yet")
                    : staleness(bundle, existing.get(), here, options);
            if (stale.isEmpty()) {
                outcomes.add(new Outcome(v.id(), id, Status.UP_TO_DATE, ""));
                continue;
            }
            if (!retryFailed && hereKey.equals(v.attributes().get(FAILED_ON))) {
                outcomes.add(new Outcome(v.id(), id, Status.FAILED, "failed before with TensorRT " + hereKey
                        + "; not retried on load (jedge build-engines retries)"));
                continue;
            }
            progress.accept("engine " + id + ": building for " + here.describe() + " (" + stale.get() + ")");
            int before = outcomes.size();
            Optional<Variant> built = build(bundle, v, id, outcomes, existing.isPresent(), stale.get());
            if (built.isPresent()) {
                // the engine runs its source's graph: its fidelity and accuracy reports stand for it, so a fidelity
                // floor admits the engine as it admits the source (without them an FP16 engine was never chosen)
                manifest = manifest.withVariant(built.get()).withReportsCarried(v.id(), id);
            } else if (outcomes.size() > before && outcomes.get(before).status() == Status.FAILED) {
                manifest = manifest.withVariant(v.withAttribute(FAILED_ON, hereKey));
            }
        }
        boolean changed = !manifest.equals(bundle.manifest());
        if (!changed) {
            return new Result(bundle, outcomes);
        }
        try {
            return new Result(bundle.update(manifest), outcomes);
        } catch (BundleException e) {
            List<Outcome> failed = new ArrayList<>();
            for (Outcome o : outcomes) {
                failed.add(o.status() == Status.BUILT || o.status() == Status.REBUILT
                        ? new Outcome(o.source(), o.engine(), Status.FAILED, "built but not recorded: " + e.getMessage()) : o);
            }
            progress.accept("engines not recorded in " + bundle.manifestFile() + ": " + e.getMessage());
            return new Result(bundle, failed);
        }
    }

    /**
     * Why an existing engine variant cannot serve here, or empty when it can. Other build options (batch range,
     * workspace) do not make an engine stale: engines built by a convert serve on load whatever the loader's defaults.
     * Detailed layers do, when asked for: a plan without them cannot say which kernels it runs.
     */
    static Optional<String> staleness(Bundle bundle, Variant engine, TrtPlatform here, TrtBuildOptions options) {
        if (!Files.isRegularFile(bundle.resolve(engine))) {
            return Optional.of("its file " + engine.file() + " is missing");
        }
        EngineCompatibility c = EngineCompatibility.check(engine.id(), engine.builtFor(), here, null, null);
        if (!c.compatible(false)) {
            return Optional.of(c.differences().stream().filter(EngineCompatibility.Difference::blocking)
                    .map(d -> d.field() + " " + d.engine() + " -> " + d.here()).reduce((a, b) -> a + ", " + b).orElse("incompatible"));
        }
        if (options.detailedLayers() && !"detailed".equals(engine.builtFor().buildOptions().get("profilingVerbosity"))) {
            return Optional.of("built without the detailed layers asked for");
        }
        return Optional.empty();
    }

    private Optional<Variant> build(Bundle bundle, Variant v, String id, List<Outcome> outcomes, boolean existed, String why) {
        if (!"true".equals(v.attributes().get("tensorrtReady"))) {
            progress.accept("engine " + id + ": note: " + v.id() + " was not converted for TensorRT (jedge convert --profile tensorrt"
                    + " lowers Attention ops and folds attention scales first); building from it as it is");
        }
        long t0 = System.nanoTime();
        EnginePlan e;
        try {
            e = builder.apply(bundle.resolve(v), l -> progress.accept("  " + l));
        } catch (RuntimeException ex) { // parser or builder failure: this variant stays ONNX-only
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            progress.accept("engine " + id + ": not built: " + msg);
            outcomes.add(new Outcome(v.id(), id, Status.FAILED, msg));
            return Optional.empty();
        }
        String file = id + ".plan";
        Path target = bundle.dir().resolve(file);
        long size;
        String sha;
        try {
            io.jedge.sdk.AtomicFiles.write(target, e.plan());
            size = Files.size(target);
            sha = Bundle.sha256(target);
        } catch (IOException | BundleException ex) {
            String msg = "cannot write " + target + " (" + ex.getMessage() + ")";
            progress.accept("engine " + id + ": " + msg);
            outcomes.add(new Outcome(v.id(), id, Status.FAILED, msg));
            return Optional.empty();
        }
        Map<String, String> attrs = new LinkedHashMap<>(v.attributes());
        attrs.put("sourceVariant", v.id());
        attrs.put("buildSeconds", String.format(Locale.ROOT, "%.1f", e.buildTime().toMillis() / 1000.0));
        attrs.put("builtOnDevice", "true");
        Variant engine = new Variant(id, v.role(), file, VariantFormat.TENSORRT_ENGINE, v.precision(), v.attention(),
                options.batchMin(), options.batchOpt(), options.batchMax(), sha, size, e.fingerprint(), attrs, List.of());
        progress.accept(String.format(Locale.ROOT, "engine %s: built in %.1f s (%d layers, %s)", id,
                (System.nanoTime() - t0) / 1e9, e.layers(), e.fingerprint().gpu()));
        outcomes.add(new Outcome(v.id(), id, existed ? Status.REBUILT : Status.BUILT, why));
        return Optional.of(engine);
    }
}
