package io.jedge.converters.convert;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.CalibrationSet;
import io.jedge.converters.precision.Int8Quantizer;
import io.jedge.converters.precision.PrecisionOptions;
import io.jedge.converters.precision.PrecisionPasses;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.diffusion.GenerationDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * INT8 denoisers, calibrated on what a denoiser really sees: the inputs of seeded generations run
 * with the FP32 source denoiser (latents at every sampled timestep, the class rows and the
 * null-class rows of classifier-free guidance), recorded once and shared by every attention form.
 * One more seeded generation, never calibrated on, gives the held-out evaluation (per-layer SQNR
 * in the report); the validation loop reaches for what the gate reads, the worst predicted-noise
 * cosine of {@link DenoiserFidelity}.
 */
final class Int8Calibration {
    /** Seeded generations recorded for calibration: a few classes, a few seconds on a CPU for a small DiT. */
    static final int GENERATIONS = 4;
    /** Apart from the fidelity seed, so the final-latent comparison runs on a generation never calibrated on. */
    static final long SEED = 4321;

    private final DenoiserFidelity fidelity;
    private final OnnxModel fp32;
    private final GenerationDefaults defaults;
    private final Consumer<String> progress;
    private CalibrationSet calibration;
    private CalibrationSet heldOut;

    Int8Calibration(DenoiserFidelity fidelity, OnnxModel fp32, GenerationDefaults defaults, Consumer<String> progress) {
        this.fidelity = fidelity;
        this.fp32 = fp32;
        this.defaults = defaults;
        this.progress = progress;
    }

    /**
     * An INT8 denoiser and its report against FP32, for the caller to gate.
     *
     * @param report the predicted-noise metrics (its {@code cosine} is the gate's figure), final latents and the
     *     quantizer's notes, with the per-layer SQNR of the held-out generation as its layers
     * @param hint what to try when the gate refuses it
     */
    record Int8Denoiser(OnnxModel model, Map<String, String> attributes, Report report, String hint) {
    }

    /**
     * {@code form} (an FP32 denoiser) in INT8 QDQ as {@code options} say, with its report against {@code fp32Id}, not
     * gated. Below {@code --min-cosine}, the validation loop keeps layers float (ranked by the worst predicted-noise cosine
     * with each layer float alone, what the gate reads) until it holds, the {@code --max-auto-exclude} budget is spent or
     * the next layer alone float does no better than none. The report reuses the loop's last measure, which is of the
     * model it returns: the variant runs on the fidelity inputs once, not once more for the report.
     *
     * @throws io.jedge.converters.precision.NoInt8LayerException when no layer would be INT8 (checked before the first
     *     calibration generations are recorded, and again after the validation loop)
     */
    Int8Denoiser quantize(OnnxModel form, String variantId, String fp32Id, PrecisionOptions options) {
        PrecisionPasses passes = new PrecisionPasses(options, progress);
        if (calibration == null) {
            passes.requireInt8Layers(form, variantId); // before the generations are recorded for nothing
            long t0 = System.nanoTime();
            calibration = record(GENERATIONS, SEED);
            heldOut = record(1, SEED + GENERATIONS);
            progress.accept(String.format(Locale.ROOT, "int8: recorded %d calibration and %d held-out denoiser inputs along seeded"
                    + " fp32 generations (%.1f s)", calibration.samples(), heldOut.samples(), (System.nanoTime() - t0) / 1e9));
        }
        PrecisionPasses.Int8Variant r = passes.quantize(form, variantId, calibration, heldOut, false,
                candidate -> {
                    Map<String, Double> noise = fidelity.noiseMetrics(form, candidate);
                    return new Int8Quantizer.Measurement(noise.get("noiseCosineMin"), noise);
                });
        Report base = r.variant().report();
        Int8Quantizer.Measurement measured = r.measurement().orElseThrow(() -> new IllegalStateException(
                "INT8 validation loop of " + variantId + " returned no measure of its model"));
        Report acc = fidelity.precisionReport(variantId, fp32Id, form, r.variant().model(), measured.metrics(), defaults, base.notes());
        // with the per-layer SQNR of the held-out generation, which says where INT8 loses most
        List<String> notes = new ArrayList<>(acc.notes());
        notes.add("layers: per-layer SQNR on " + base.inputs() + " (the report's inputs are the whole-model figures')");
        acc = new Report(acc.kind(), acc.variant(), acc.reference(), acc.inputs(), acc.metrics(), base.layers(), notes);
        String auto = r.variant().attributes().get("autoExcludedLayers");
        if (auto != null) {
            progress.accept(variantId + ": the validation loop kept " + auto + " float (the layers that raised the worst"
                    + " predicted-noise cosine most, each measured alone)");
        }
        String hint;
        if (!r.notKeptFloat().isEmpty()) {
            String stop = String.join(",", r.notKeptFloat().keySet());
            // one line each, with its figures: a variant left out below the floor has no report to hold them
            r.notKeptFloat().forEach((layer, why) -> progress.accept(variantId + ": " + layer + " " + why));
            hint = (auto != null ? "the validation loop kept " + auto + " float, then stopped" : "the validation loop kept no layer float")
                    + ": each alone float, " + stop + " did no better than every layer INT8;"
                    + " name layers to keep float with --exclude-layers, or try another --calibrator";
        } else {
            hint = auto != null ? "the validation loop kept " + auto + " float; allow it more layers with"
                    + " --max-auto-exclude N, or name them with --exclude-layers"
                    : "let the validation loop keep the layers that matter most float with --max-auto-exclude N,"
                            + " or name them with --exclude-layers";
        }
        return new Int8Denoiser(r.variant().model(), r.variant().attributes(), acc, hint);
    }

    /**
     * The bundle's default step count: its last steps reach the low-noise timesteps (t below 100), where INT8 errs most;
     * 10 steps stop near t = 100 and left the trained digits DiT's t = 25 cosine at 0.985 (benchmarks/int8-diffusion-*).
     */
    private int steps() {
        return defaults.steps();
    }

    private CalibrationSet record(int generations, long seed) {
        List<Map<String, Tensor>> feeds = fidelity.trajectoryFeeds(fp32, defaults, generations, steps(), seed);
        int rows = feeds.stream().mapToInt(f -> (int) f.values().iterator().next().dim(0)).sum();
        String what = String.format(Locale.ROOT, "%d denoiser inputs along %d seeded %d-step %s fp32 generation%s (seed%s %d%s%s)", rows,
                generations, steps(), defaults.scheduler().id(), generations == 1 ? "" : "s", generations == 1 ? "" : "s", seed,
                generations == 1 ? "" : ".." + (seed + generations - 1),
                fidelity.conditional() ? ", a seeded class each, guidance " + defaults.guidanceScale() + ": class and null-class rows" : "");
        return CalibrationSet.ofBatches(feeds, what);
    }
}
