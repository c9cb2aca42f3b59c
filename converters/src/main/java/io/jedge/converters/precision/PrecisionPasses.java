package io.jedge.converters.precision;

import io.jedge.converters.compare.Metrics;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.TensorSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The FP16 and INT8 variants of a model with their accuracy reports, gated by
 * {@link PrecisionOptions#minCosine()}: what {@code jedge convert} calls per precision. Nothing is
 * written here; a variant below the gate throws {@link AccuracyTargetException}, and an INT8 one with no layer left INT8
 * {@link NoInt8LayerException}.
 *
 * <pre>{@code
 * PrecisionPasses passes = new PrecisionPasses(PrecisionOptions.defaults(), System.out::println);
 * PrecisionPasses.Variant v = passes.int8(fp32, "int8-vanilla", inputs, Preprocessing.imagenet(224), true);
 * }</pre>
 */
public final class PrecisionPasses {
    private final PrecisionOptions o;
    private final Consumer<String> progress;

    /** @param progress receives one line per step (calibration progress included); never null */
    public PrecisionPasses(PrecisionOptions options, Consumer<String> progress) {
        this.o = options;
        this.progress = progress;
    }

    /**
     * A converted model ready to be written.
     *
     * @param attributes build facts for the bundle variant
     */
    public record Variant(OnnxModel model, Report report, Map<String, String> attributes) {
        public Variant {
            attributes = Map.copyOf(attributes);
        }
    }

    /**
     * FP16 mixed precision, checked against {@code fp32} on held-out inputs.
     *
     * @param preprocessing the bundle's preprocessing (image models) or null
     * @param classifier the first output is class logits (top-1 agreement is reported)
     * @throws AccuracyTargetException below the cosine gate
     */
    public Variant fp16(OnnxModel fp32, String variantId, List<TensorSpec> inputs, Preprocessing preprocessing, boolean classifier) {
        Fp16Converter.Result r = Fp16Converter.convert(fp32, o.fp16());
        CalibrationSet held = o.validationSet(inputs, preprocessing);
        AccuracyEvaluation e = AccuracyEvaluator.evaluate(fp32, r.model(), held, Layers.weightedProbes(fp32), classifier);
        progress.accept(summary(variantId, e));
        if (!(e.overall().cosine() >= o.minCosine())) {
            throw new AccuracyTargetException(variantId, e, o.minCosine(), "--keep-fp32");
        }
        List<String> notes = new ArrayList<>();
        notes.add(r.keptFp32().size() + " nodes kept in FP32, " + r.castsInserted() + " Casts inserted");
        r.keptFp32().entrySet().stream().limit(20).forEach(k -> notes.add("fp32: " + k.getKey() + " (" + k.getValue() + ")"));
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("fp32Nodes", String.valueOf(r.keptFp32().size()));
        return new Variant(r.model(), e.toReport(variantId, "fp32", notes), attrs);
    }

    /**
     * INT8 QDQ: calibrates, quantizes, runs the validation loop, then gates.
     *
     * @throws AccuracyTargetException below the cosine gate after the loop
     * @throws NoInt8LayerException when no layer is left INT8 (see {@link #quantize})
     * @throws CalibrationCancelledException if the thread is interrupted
     */
    public Variant int8(OnnxModel fp32, String variantId, List<TensorSpec> inputs, Preprocessing preprocessing, boolean classifier) {
        Int8Variant v = quantize(fp32, variantId, o.calibrationSet(inputs, preprocessing), o.validationSet(inputs, preprocessing),
                classifier, null);
        if (!(v.evaluation().overall().cosine() >= o.minCosine())) {
            throw new AccuracyTargetException(variantId, v.evaluation(), o.minCosine(), "--exclude-layers");
        }
        return v.variant();
    }

    /**
     * An INT8 variant and its evaluation on the held-out inputs.
     *
     * @param variant the QDQ model, its report against {@code fp32} on the held-out inputs and its attributes
     * @param evaluation the held-out evaluation after the validation loop (worst layers first)
     * @param measurement the caller's gate measure of the variant's model, taken by the validation loop (when a gate
     *     was given): a report on the model reuses it
     * @param notKeptFloat layers the validation loop did not keep float although its budget allowed them, with why
     */
    public record Int8Variant(Variant variant, AccuracyEvaluation evaluation, java.util.Optional<Int8Quantizer.Measurement> measurement,
            Map<String, String> notKeptFloat) {
        public Int8Variant {
            notKeptFloat = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(notKeptFloat));
        }
    }

    /**
     * INT8 QDQ calibrated on {@code calibration}, with the validation loop on {@code heldOut}, not
     * gated: for callers whose gate reads another measure (a denoiser's predicted noise per timestep).
     *
     * @param gate the measure the caller gates on, which the validation loop then reaches for (see
     *     {@link Int8Quantizer#quantize(OnnxModel, CalibrationSet, CalibrationSet, double, boolean, Consumer,
     *     java.util.function.Function)}); null: the output cosine on {@code heldOut}
     * @throws NoInt8LayerException when no layer is left INT8: the plan quantizes none, or the validation loop kept every
     *     one float (it holds the floor then, but is the FP32 model under another name)
     * @throws CalibrationCancelledException if the thread is interrupted
     */
    public Int8Variant quantize(OnnxModel fp32, String variantId, CalibrationSet calibration, CalibrationSet heldOut, boolean classifier,
            java.util.function.Function<OnnxModel, Int8Quantizer.Measurement> gate) {
        requireInt8Layers(fp32, variantId); // a plan that quantizes nothing is refused before calibration, for every caller
        Int8Quantizer q = new Int8Quantizer(o.int8());
        progress.accept(String.format(Locale.ROOT, "%s: calibrating on %s (%s, %s profile)", variantId, calibration.description(),
                o.int8().method().cliName(), o.int8().profile().cliName()));
        Int8Quantizer.Result r = q.quantize(fp32, calibration, heldOut, o.minCosine(), classifier,
                p -> progress.accept(variantId + ": " + p), gate);
        if (r.quantizedCount() == 0) {
            throw noInt8Layer(variantId, r.layers(), r.autoExcluded());
        }
        AccuracyEvaluation e = r.evaluation().orElseThrow();
        progress.accept(summary(variantId, e));
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "profile %s, calibrator %s on %s; %d of %d layers quantized",
                o.int8().profile().cliName(), o.int8().method().cliName(), calibration.description(), r.quantizedCount(), r.layers().size()));
        if (!r.autoExcluded().isEmpty()) {
            notes.add("excluded by the validation loop: " + String.join(",", r.autoExcluded()));
        }
        r.notKeptFloat().forEach((layer, why) -> notes.add("int8: " + layer + " (" + why + ")"));
        for (Int8Quantizer.QuantLayer l : r.layers()) {
            if (!l.quantized()) {
                notes.add("float: " + l.layer() + " (" + l.reason() + ")");
            }
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("profile", o.int8().profile().cliName());
        attrs.put("calibrator", o.int8().method().cliName());
        attrs.put("calibration", calibration.description());
        attrs.put("quantizedLayers", String.valueOf(r.quantizedCount()));
        if (!r.autoExcluded().isEmpty()) {
            attrs.put("autoExcludedLayers", String.join(",", r.autoExcluded()));
        }
        return new Int8Variant(new Variant(r.model(), e.toReport(variantId, "fp32", notes), attrs), e, r.measurement(), r.notKeptFloat());
    }

    /**
     * Refuses, before any calibration data is gathered, an INT8 variant whose layer plan quantizes no layer of
     * {@code fp32}; {@link #quantize} refuses it too, and a result the validation loop left with no INT8 layer.
     *
     * @throws NoInt8LayerException when the plan quantizes nothing
     */
    public void requireInt8Layers(OnnxModel fp32, String variantId) {
        List<Int8Quantizer.QuantLayer> plan = new Int8Quantizer(o.int8()).plan(fp32);
        if (plan.stream().noneMatch(Int8Quantizer.QuantLayer::quantized)) {
            throw noInt8Layer(variantId, plan, List.of());
        }
    }

    /**
     * Refuses a {@code --keep-fp32} entry (an op type or a node-name glob) or an {@code --exclude-layers} glob that names
     * nothing in any of {@code models}, the models the FP16 and INT8 passes will run on (a rewritten form's nodes count:
     * ELFATT-SD's are named {@code <layer>/elfatt_sd/...}): a typo would otherwise convert as if the option were not there.
     */
    public void requireListedNamesExist(List<OnnxModel> models, boolean fp16, boolean int8) {
        if (fp16) {
            for (String e : o.fp16().keepFp32Nodes()) {
                if (models.stream().flatMap(m -> m.graph().nodes().stream())
                        .noneMatch(n -> n.opType().equals(e) || Globs.matches(e, n.name()))) {
                    OnnxModel first = models.get(0);
                    java.util.Set<String> ops = new java.util.TreeSet<>();
                    first.graph().nodes().forEach(n -> ops.add(n.opType()));
                    String example = first.graph().nodes().stream().map(n -> n.name()).filter(n -> n != null && !n.isEmpty())
                            .findFirst().orElse("none: the nodes are unnamed");
                    throw new IllegalArgumentException("--keep-fp32 '" + e + "' names no op type or node of the model; its op types"
                            + " are " + String.join(", ", ops) + " (node names are the graph's, e.g. '" + example + "')");
                }
            }
        }
        if (int8 && !o.int8().excludeLayers().isEmpty()) {
            List<List<Int8Quantizer.QuantLayer>> plans = models.stream().map(m -> new Int8Quantizer(o.int8()).plan(m)).toList();
            for (String g : o.int8().excludeLayers()) {
                if (plans.stream().flatMap(List::stream).noneMatch(l -> Globs.any(List.of(g), l.layer(), l.node()))) {
                    List<String> names = plans.get(0).stream().map(Int8Quantizer.QuantLayer::layer).toList();
                    throw new IllegalArgumentException("--exclude-layers '" + g + "' names no INT8 layer of the model; its "
                            + names.size() + " layers are " + String.join(", ", names.subList(0, Math.min(6, names.size())))
                            + (names.size() > 6 ? ", ..." : "") + " (globs: * any run of characters, ? one)");
                }
            }
        }
    }

    /** Why no layer of {@code layers} is INT8 (none quantized), and what to do. */
    private NoInt8LayerException noInt8Layer(String variantId, List<Int8Quantizer.QuantLayer> layers, List<String> autoExcluded) {
        if (!autoExcluded.isEmpty()) {
            return new NoInt8LayerException(variantId, String.format(Locale.ROOT, "every INT8 layer had to stay float to hold"
                    + " --min-cosine %s (the validation loop kept all %d float)", o.minCosine(), autoExcluded.size()),
                    "for INT8 layers, lower --min-cosine or try another --calibrator");
        }
        if (layers.isEmpty()) {
            return new NoInt8LayerException(variantId, "the model has no MatMul, Gemm, Conv or ConvTranspose layer to quantize",
                    "INT8 has nothing to run here");
        }
        List<String> reasons = layers.stream().map(Int8Quantizer.QuantLayer::reason).distinct().toList();
        List<String> hints = new ArrayList<>();
        if (reasons.stream().anyMatch(w -> w.contains("--exclude-layers"))) {
            hints.add("name fewer layers in --exclude-layers");
        }
        if (reasons.stream().anyMatch(w -> w.contains("quantizeAttention"))) {
            hints.add("add --quantize-attention to quantize the attention MatMuls");
        }
        String hint = hints.isEmpty() ? "its layers are too small or at the model's edges for INT8"
                : "for INT8 layers, " + String.join(", or ", hints);
        return new NoInt8LayerException(variantId, "the INT8 plan keeps all " + layers.size() + " of its layers float ("
                + String.join("; ", reasons.subList(0, Math.min(3, reasons.size()))) + (reasons.size() > 3 ? "; ..." : "") + ")", hint);
    }

    private static String summary(String id, AccuracyEvaluation e) {
        Metrics m = e.overall();
        return String.format(Locale.ROOT, "%s: cosine %.5f, SQNR %.1f dB, max abs error %.3g%s vs fp32 on %s", id, m.cosine(),
                m.sqnrDb(), m.maxAbsError(), m.top1Agreement().isPresent()
                        ? String.format(Locale.ROOT, ", top-1 agreement %.1f%%", 100 * m.top1Agreement().getAsDouble()) : "",
                e.inputs());
    }
}
