package io.jedge.runtime.selection;

import io.jedge.sdk.Goal;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.Selection;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Figure;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Chooses a variant and batch size for a device context. Evidence in order of trust: figures
 * measured on this device and power mode (in the bundle or a local cache), then an autotune
 * (the caller measures and passes the figures in), then priors per hardware family — which
 * encode, for example, that mixed precision is not faster than FP32 on the original Jetson Nano.
 * Stateless and thread-safe.
 */
public final class VariantSelector {
    /** Which backend runs a format here, or empty with the reason in {@code whyNot}. */
    public interface BackendResolver {
        Optional<String> backendFor(Variant v);

        String whyNot(Variant v);
    }

    /** A selection's outcome: the choice and every candidate with its verdict. */
    public record Result(Candidate chosen, List<Candidate> candidates, DeviceContext context) {
        public Selection toSelection() {
            return new Selection(chosen.variant().id(), chosen.backend(), chosen.batch(), chosen.reason(), chosen.source(),
                    context.describe(), context.simulated());
        }

        /** One line per candidate, for logs and {@code --explain}. */
        public String explain() {
            StringBuilder b = new StringBuilder();
            for (Candidate c : candidates) {
                b.append(c == chosen ? "* " : c.admissible() ? "  " : "x ").append(c.variant().id()).append(": ")
                        .append(c.reason()).append('\n');
            }
            return b.toString();
        }
    }

    /**
     * For simulated devices: every variant counts as runnable there — ONNX on ONNX Runtime,
     * engines on TensorRT — since nothing is run, only the policy is.
     */
    public static final BackendResolver ASSUME_RUNNABLE = new BackendResolver() {
        @Override
        public Optional<String> backendFor(Variant v) {
            return Optional.of(v.format() == VariantFormat.ONNX ? "ort-cpu" : "tensorrt");
        }

        @Override
        public String whyNot(Variant v) {
            return "";
        }
    };

    /** The fidelity floor for approximate variants when the caller sets none: what convert gates at by default. */
    public static final double DEFAULT_MIN_FIDELITY = 0.99;

    private final BackendResolver backends;

    public VariantSelector(BackendResolver backends) {
        this.backends = backends;
    }

    /**
     * Refuses a variant id the bundle does not hold, listing the ones it does: a typo in
     * {@code --variant} is the caller's mistake, not a device that cannot run anything.
     *
     * @throws JedgeException {@link JedgeException.Code#INVALID_INPUT} when {@code id} is not null and not in {@code m}
     */
    public static void requireKnownVariant(BundleManifest m, String id) {
        if (id != null && m.variant(id).isEmpty()) {
            throw new JedgeException(JedgeException.Code.INVALID_INPUT, "variant '" + id + "' is not in bundle '" + m.name()
                    + "'; its variants are " + String.join(", ", m.variants().stream().map(Variant::id).toList()));
        }
    }

    /**
     * @param cache figures measured here earlier, by variant id (may be empty)
     * @throws NoVariantException when no variant is admissible; the message lists each one's reason
     */
    public Result select(BundleManifest m, DeviceContext ctx, SelectionRequest req, Map<String, List<Figure>> cache) {
        List<Candidate> all = new ArrayList<>();
        for (Variant v : m.variants(req.role())) {
            all.add(judge(m, v, ctx, req, cache.getOrDefault(v.id(), List.of())));
        }
        if (all.isEmpty()) {
            throw new NoVariantException("bundle '" + m.name() + "' has no " + req.role().id() + " variant");
        }
        Optional<Candidate> best = all.stream().filter(Candidate::admissible)
                .max(Comparator.comparingInt((Candidate c) -> rank(c.source())).thenComparingDouble(Candidate::score));
        if (best.isEmpty()) {
            // one line, as every error the CLI prints; 'jedge select' shows the same reasons one per line
            StringBuilder why = new StringBuilder("no variant of bundle '" + m.name() + "' can run on " + ctx.describe() + ": ");
            for (int i = 0; i < all.size(); i++) {
                why.append(i > 0 ? "; " : "").append(all.get(i).variant().id()).append(": ").append(all.get(i).reason());
            }
            throw new NoVariantException(why.toString());
        }
        return new Result(best.get(), all, ctx);
    }

    /** Measured evidence outranks priors, whatever the numbers. */
    private static int rank(String source) {
        return switch (source) {
            case "forced" -> 3;
            case "measured" -> 2;
            case "autotune" -> 1;
            default -> 0;
        };
    }

    private Candidate judge(BundleManifest m, Variant v, DeviceContext ctx, SelectionRequest req, List<Figure> cached) {
        Optional<String> backend = backends.backendFor(v);
        if (backend.isEmpty()) {
            return reject(v, backends.whyNot(v));
        }
        if (!req.backend().equals("auto") && !req.backend().equals(backend.get())) {
            return reject(v, "runs on " + backend.get() + ", but backend " + req.backend() + " was requested");
        }
        if (req.forcedVariant() != null) {
            if (!req.forcedVariant().equals(v.id())) {
                return reject(v, "variant " + req.forcedVariant() + " was requested");
            }
            int batch = req.goal() == Goal.LATENCY ? v.batchMin() : cap(v.batchOpt(), v, req);
            return new Candidate(v, backend.get(), 1, batch, "forced", "requested by the caller", true);
        }
        if (v.precision().ordinal() > req.precisionFloor().ordinal()) {
            return reject(v, "precision " + v.precision().id() + " is below the floor " + req.precisionFloor().id());
        }
        Optional<Double> cos = cosine(m, v);
        double floor = req.minFidelity() != null ? req.minFidelity() : DEFAULT_MIN_FIDELITY;
        if (approximate(v) && cos.isEmpty()) {
            return reject(v, "approximate (" + v.precision().id() + ", " + v.attention().id() + ") and the bundle carries no "
                    + "fidelity or accuracy report for it; re-convert the bundle, or ask for this variant by name");
        }
        if (cos.isPresent() && (approximate(v) || req.minFidelity() != null) && cos.get() < floor) {
            return reject(v, String.format(java.util.Locale.ROOT, "fidelity cosine %.4f is below the floor %.4f", cos.get(), floor));
        }
        if (ctx.memAvailableBytes() > 0) {
            // weights + activations + runtime overhead: a conservative 3x the file size
            long need = 3 * v.sizeBytes();
            if (need > ctx.memAvailableBytes()) {
                return reject(v, String.format("needs about %d MiB, only %d MiB available", need >> 20, ctx.memAvailableBytes() >> 20));
            }
        }
        List<Figure> here = new ArrayList<>(cached);
        for (Figure f : v.figures()) {
            if (f.measuredOn(ctx.deviceId(), ctx.figureMode(), backend.get()) && f.simulated() == ctx.simulated()) {
                here.add(f);
            } else if (ctx.simulated() && f.device().equals(ctx.deviceId()) && java.util.Objects.equals(f.powerMode(), ctx.figureMode())
                    && f.backend().equals(backend.get())) {
                here.add(f);
            }
        }
        here.removeIf(f -> !v.acceptsBatch(f.batch()) || (req.maxBatch() > 0 && f.batch() > req.maxBatch()));
        if (!here.isEmpty()) {
            return fromFigures(v, backend.get(), ctx, req, here, cached.isEmpty() ? "measured" : "autotune");
        }
        return fromPriors(m, v, backend.get(), ctx, req);
    }

    private static Candidate fromFigures(Variant v, String backend, DeviceContext ctx, SelectionRequest req, List<Figure> fs,
            String source) {
        if (req.goal() == Goal.LATENCY) {
            Figure f = fs.stream().min(Comparator.comparingInt(Figure::batch).thenComparingDouble(Figure::latencyP50Ms)).get();
            return new Candidate(v, backend, -f.latencyP50Ms(), f.batch(), source, String.format(
                    "p50 %.2f ms at batch %d measured on %s", f.latencyP50Ms(), f.batch(), ctx.describe()), true);
        }
        Figure f = fs.stream().max(Comparator.comparingDouble(Figure::throughputPerSec)).get();
        return new Candidate(v, backend, f.throughputPerSec(), f.batch(), source, String.format(
                "%.1f inferences/s at batch %d measured on %s", f.throughputPerSec(), f.batch(), ctx.describe()), true);
    }

    private static Candidate fromPriors(BundleManifest m, Variant v, String backend, DeviceContext ctx, SelectionRequest req) {
        double p = precisionPrior(v.precision(), backend, ctx);
        if (p <= 0) {
            return reject(v, v.precision().id() + " is not supported by " + backend + " on " + ctx.family());
        }
        double a = attentionPrior(v, backend);
        double g = backendPrior(backend, ctx);
        int batch = req.goal() == Goal.LATENCY ? v.batchMin() : cap(v.batchOpt(), v, req);
        double score = p * a * g;
        String reason = String.format("no figures for %s; prior speed x%.2f (precision %s x%.2f on %s, attention %s x%.2f%s)",
                ctx.describe(), score, v.precision().id(), p, ctx.family().name().toLowerCase(java.util.Locale.ROOT),
                v.attention().id(), a, g != 1 ? String.format(", %s x%.1f", backend, g) : "")
                + (v.attributes().containsKey("notDefault") ? "; converter: " + v.attributes().get("notDefault") : "");
        return new Candidate(v, backend, score, batch, "prior", reason, true);
    }

    private static int cap(int batch, Variant v, SelectionRequest req) {
        int b = req.maxBatch() > 0 ? Math.min(batch, req.maxBatch()) : batch;
        return Math.max(v.batchMin(), Math.min(b, v.batchMax()));
    }

    /**
     * Relative speed of a precision against FP32 on a backend and hardware family. The Maxwell
     * entries follow the ELFATT paper's Jetson Nano result (mixed 5.8 vs FP32 6.2 img/s at 10 W)
     * and Maxwell's lack of INT8; ONNX Runtime's CPU kernels gain from INT8 (VNNI / dot-product)
     * but have few FP16 kernels, so FP16 falls back to casts.
     */
    static double precisionPrior(Precision p, String backend, DeviceContext ctx) {
        boolean trt = backend.equals("tensorrt");
        DeviceContext.Family f = trt ? ctx.family() : DeviceContext.Family.CPU;
        return switch (f) {
            case JETSON_MAXWELL -> switch (p) {
                case FP32 -> 1.0;
                case FP16 -> 0.94;
                case INT8 -> 0.0;
            };
            case JETSON_ORIN, DISCRETE_GPU -> switch (p) {
                case FP32 -> 1.0;
                case FP16 -> 1.9;
                case INT8 -> 2.4;
            };
            case CPU -> switch (p) {
                case FP32 -> 1.0;
                case FP16 -> 0.5;
                case INT8 -> 1.5;
            };
        };
    }

    /**
     * An engine on the GPU against ONNX Runtime on the CPU: without it an FP32 engine and its FP32
     * ONNX source tie, and a diffusion bundle's denoiser would stay on the CPU beside its engine. The
     * gap is far larger than this (ViT-B/16 batch 1: 0.6 ms on TensorRT vs 14 ms on ORT CPU,
     * benchmarks/raw/tensorrt-h200-2026-12-01/proof-vitlegacy-fp32.json); a modest factor keeps precision and attention priors
     * deciding among engines.
     */
    static double backendPrior(String backend, DeviceContext ctx) {
        boolean gpu = ctx.family() != DeviceContext.Family.CPU;
        return gpu && backend.equals("tensorrt") ? 4.0 : 1.0;
    }

    /**
     * ELFATT's speed against vanilla attention at the variant's token count on {@code backend}, as
     * measured ({@link AttentionCrossover}, the table the converter also uses to pick a bundle's
     * default): below the crossover the prior rates ELFATT under vanilla and lets figures measured
     * here overrule it; an unknown length counts as short. Window attention is rated at 0.8 of it.
     */
    static double attentionPrior(Variant v, String backend) {
        if (v.attention() == AttentionKind.VANILLA || v.attention() == AttentionKind.NONE) {
            return 1.0;
        }
        double gain = v.attention() == AttentionKind.WINDOW ? 0.8 : 1.0;
        return gain * AttentionCrossover.ratio(backend, AttentionCrossover.tokens(v.attributes()));
    }

    /**
     * The worst cosine any of the variant's reports measured (an FP16 ELFATT-SD variant carries both
     * its precision report and the rewrite's fidelity report), or empty when it has none.
     */
    private static Optional<Double> cosine(BundleManifest m, Variant v) {
        return m.reports().stream().filter(r -> r.variant().equals(v.id()) && r.metrics().containsKey("cosine"))
                .map(r -> r.metrics().get("cosine")).min(Double::compare);
    }

    /** Variants whose outputs only approximate the source model's: reduced precision or a training-free rewrite. */
    static boolean approximate(Variant v) {
        return v.precision() != Precision.FP32 || v.attention().trainingFree();
    }

    private static Candidate reject(Variant v, String reason) {
        return new Candidate(v, null, Double.NEGATIVE_INFINITY, 0, "rejected", reason, false);
    }

    /** A resolver for the backends present: ONNX to ONNX Runtime; engines to TensorRT when it loads and the engine fits. */
    public static BackendResolver resolver(Function<VariantFormat, Optional<String>> available,
            Function<Variant, Optional<String>> engineMismatch, Function<VariantFormat, String> missingReason) {
        return new BackendResolver() {
            @Override
            public Optional<String> backendFor(Variant v) {
                Optional<String> b = available.apply(v.format());
                if (b.isPresent() && v.format() == VariantFormat.TENSORRT_ENGINE && engineMismatch.apply(v).isPresent()) {
                    return Optional.empty();
                }
                return b;
            }

            @Override
            public String whyNot(Variant v) {
                Optional<String> b = available.apply(v.format());
                if (b.isEmpty()) {
                    return missingReason.apply(v.format());
                }
                return engineMismatch.apply(v).orElse("not runnable here");
            }
        };
    }
}
