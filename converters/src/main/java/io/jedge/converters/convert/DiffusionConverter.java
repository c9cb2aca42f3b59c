package io.jedge.converters.convert;

import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.bundle.BundleAssembler;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.NoInt8LayerException;
import io.jedge.converters.precision.PrecisionPasses;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.diffusion.GenerationDefaults;
import io.jedge.sdk.diffusion.PixelRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Assembles a latent-diffusion bundle from a denoiser and a decoder: the denoiser in each
 * {@code --attention} form ({@code fp32-vanilla}; {@code fp32-elfatt-sd}, {@code fp32-tome} and
 * {@code fp32-elfatt-sd+tome}, each with the blocks that keep the fidelity floor and its fidelity
 * report on the predicted noise) and each precision ({@code fp16-*}, and {@code int8-*} QDQ calibrated on the
 * denoiser inputs of seeded FP32 generations; one left out, below the floor or with no layer left INT8, is recorded on
 * its FP32 variant as attribute {@code leftOut.<precision>}), the decoder
 * ({@code fp32-decoder}, {@code fp16-decoder}; never INT8), TensorRT engines of all of them with
 * {@code --engines tensorrt}, and the {@link GenerationDefaults} in the manifest's pipeline map.
 * The defaults come from the models (latent shape from the denoiser's input, null class from a
 * jedge-built DiT's class count, scaling factor and pixel range from a jedge-built TAESD decoder;
 * SD's VAE values otherwise) and are overridden by {@code overrides} (pipeline keys, e.g.
 * {@code nullClass=1000}, {@code steps=50}). Options and the two models' latent shapes are checked
 * before any variant is built.
 *
 * <p>Blocks and precisions are gated on one statistic, the worst timestep's predicted-noise cosine
 * ({@link DenoiserFidelity#gate()} for an attention form's blocks against {@code --fidelity-min},
 * {@link DenoiserFidelity#noiseMetrics}' {@code noiseCosineMin} for FP16 and INT8 against {@code --min-cosine}; each
 * report's {@code cosine}).
 */
public final class DiffusionConverter {
    private static final long FIDELITY_SEED = 1234;

    private final Consumer<String> progress;

    /** @param progress receives one line per step; never null */
    public DiffusionConverter(Consumer<String> progress) {
        this.progress = progress;
    }

    /** One form of the denoiser in FP32, before the precisions are applied. */
    private record Form(AttentionKind kind, OnnxModel model, Map<String, String> attributes, Report fidelity) {
    }

    /**
     * Writes a variant; for TensorRT ({@link EngineStage#forTensorRt}) as a TensorRT-ready copy, so the model the fidelity
     * figures and the cached references were measured on stays as it was.
     */
    private void addOnnx(BundleAssembler a, String id, Role role, OnnxModel model, Precision p, AttentionKind kind, ConversionOptions o,
            Map<String, String> attrs) throws BundleException {
        OnnxModel written = model;
        Map<String, String> attributes = attrs;
        if (EngineStage.forTensorRt(o)) {
            written = model.copy();
            attributes = EngineStage.tensorRtReady(id, written, attrs, progress);
        }
        a.addOnnx(id, role, written, p, kind, o.batchMin(), o.batchOpt(), o.batchMax(), attributes);
    }

    /**
     * @throws IllegalArgumentException for options a diffusion bundle cannot take (labels, no fp32 or
     *                                  keep, INT8 engines without the tensorrt profile), a denoiser without a supported attention block
     *                                  for elfatt-sd, ToMe for TensorRT on blocks past its TopK limit, latent shapes the
     *                                  decoder cannot take, malformed overrides
     * @throws io.jedge.sdk.JedgeException {@code BACKEND_UNAVAILABLE} with engines asked for where
     *                                  TensorRT cannot build
     */
    public Bundle convert(Path denoiserFile, Path decoderFile, Path bundleDir, ConversionOptions o, Map<String, String> overrides)
            throws BundleException {
        checkOptions(o);
        BundleAssembler.prepare(bundleDir); // refuses a directory it must not replace before any work
        if (o.engines() != null) {
            EngineStage.checkAvailable();
        }
        OnnxModel denoiser = OnnxModel.load(denoiserFile);
        OnnxModel decoder = OnnxModel.load(decoderFile);
        if (o.engines() != null) {
            EngineStage.requireBuildable(denoiser, denoiserFile);
            EngineStage.requireBuildable(decoder, decoderFile);
        }
        EngineStage.requireTomeBuildable(o, denoiser, denoiserFile);
        if (decoder.graph().inputs().size() != 1) {
            throw new IllegalArgumentException("decoder " + decoderFile + ": " + decoder.graph().inputs().size()
                    + " inputs, expected one (latents [N,C,h,w])");
        }
        GenerationDefaults defaults = defaults(denoiser, decoder, overrides);
        if (!decoder.metadata().containsKey("jedge.latent_scaling_factor") && !overrides.containsKey(GenerationDefaults.LATENT_SCALING_FACTOR)) {
            // a wrong factor saturates (or washes out) every image with no error: say what was assumed and how to change it
            progress.accept("decoder " + decoderFile.getFileName() + " does not say its latent scaling factor: latents are divided by "
                    + defaults.latentScalingFactor() + " (SD's VAE) before decoding; for a decoder of unscaled latents (TAESD, your own)"
                    + " give --pipeline " + GenerationDefaults.LATENT_SCALING_FACTOR + "=1");
        }
        checkLatents(denoiserFile.getFileName().toString(), denoiser, decoderFile.getFileName().toString(), decoder, defaults);
        String name = o.name() != null ? o.name() : stripExtension(denoiserFile.getFileName().toString());
        try (BundleAssembler a = new BundleAssembler(bundleDir, name)) { // staged; close() removes what write() did not commit
            return assemble(a.describe(denoiser, Task.LATENT_DIFFUSION), denoiserFile, decoderFile, denoiser, decoder, defaults, o);
        }
    }

    private Bundle assemble(BundleAssembler a, Path denoiserFile, Path decoderFile, OnnxModel denoiser, OnnxModel decoder,
            GenerationDefaults defaults, ConversionOptions o) throws BundleException {
        defaults.toPipeline().forEach(a::pipeline);

        AttentionKind sourceKind = Converter.attentionOf(denoiser);
        String referenceId = "fp32-" + sourceKind.id();
        Map<String, String> common = new LinkedHashMap<>();
        common.put("source", denoiserFile.getFileName().toString());
        Converter.tokens(denoiser).ifPresent(t -> common.put("tokens", String.valueOf(t)));
        DenoiserFidelity fidelity = new DenoiserFidelity(denoiser, defaults.nullClass(), FIDELITY_SEED);
        if (o.precision().calibrationDir() != null) {
            fidelity.useHeldOut(o.precision().calibrationDir());
        }
        List<Form> forms = new ArrayList<>();
        // blocks are chosen on the figure the FP16/INT8 gates read, the worst timestep's (ToMe errs most at low noise)
        FidelityEvaluator eval = FidelityEvaluator.builder().gate(fidelity.gate()).build();
        for (String form : o.attention()) {
            if (form.equals("keep")) {
                forms.add(new Form(sourceKind, denoiser, common, null));
                continue;
            }
            long t0 = System.nanoTime();
            AttentionKind kind = AttentionKind.parse(form);
            FidelityEvaluator.Selection sel = switch (kind) {
                case ELFATT_SD -> eval.selectByFidelity(denoiser, o.elfattSd(), o.fidelity(), progress);
                case TOME -> eval.selectByFidelity(denoiser, o.tome(), null, o.fidelity(), progress);
                case ELFATT_SD_TOME -> eval.selectByFidelity(denoiser, o.tome(), o.elfattSd(), o.fidelity(), progress);
                default -> throw new IllegalStateException("attention form " + form + " has no rewrite");
            };
            if (sel.layers().isEmpty()) {
                progress.accept(form + " left out: no block keeps the denoiser's " + DenoiserFidelity.STATISTIC + " >= "
                        + o.fidelity().cosine() + " (lower the floor with --fidelity-min to accept more error" + (kind == AttentionKind.ELFATT_SD ? ""
                        : ", or merge fewer tokens with a lower --tome") + ")");
                continue;
            }
            String id = "fp32-" + kind.id();
            // the selection's report holds the chosen blocks' figures from the run that chose them; only the generation is new
            Report report = fidelity.withGeneration(AttentionVariants.forVariant(sel.report(), id, referenceId), denoiser, sel.model(),
                    defaults);
            Map<String, String> attrs = new LinkedHashMap<>(common);
            if (kind != AttentionKind.TOME) {
                attrs.put("elfattLayers", sel.layers().toString());
                attrs.put("elfattBlock", String.valueOf(o.elfattSd().block()));
                attrs.put("elfattAgents", String.valueOf(o.elfattSd().agents()));
            }
            if (kind != AttentionKind.ELFATT_SD) {
                attrs.put("tomeLayers", sel.layers().toString());
                attrs.put("tomeRatio", String.valueOf(o.tome().ratio()));
                attrs.put("tomeSeed", String.valueOf(o.tome().seed()));
            }
            forms.add(new Form(kind, sel.model(), attrs, report));
            Map<String, Double> m = report.metrics();
            String cosines = perTimestep(m, fidelity.timesteps());
            progress.accept(String.format(Locale.ROOT, "%s: rewrote blocks %s; predicted-noise cosine %s;"
                            + " final latents of a %d-step generation: cosine %.5f (%.1f s)", form, sel.layers(), cosines,
                    DenoiserFidelity.GENERATION_STEPS, m.get("finalLatentCosine"), (System.nanoTime() - t0) / 1e9));
        }
        // from here on only the predicted noise is compared: the source's per-block results are dropped, not kept to the end
        fidelity.keepOnlyModelOutputs();
        // a misspelt --keep-fp32 / --exclude-layers name is refused before any FP16 or INT8 pass (FP16 also runs on the decoder)
        PrecisionPasses names = new PrecisionPasses(o.precision(), progress);
        List<OnnxModel> denoisers = forms.stream().map(Form::model).toList();
        List<OnnxModel> withDecoder = new ArrayList<>(denoisers);
        withDecoder.add(decoder);
        names.requireListedNamesExist(withDecoder, o.precisions().contains(Precision.FP16), false);
        names.requireListedNamesExist(denoisers.isEmpty() ? List.of(denoiser) : denoisers, false, o.precisions().contains(Precision.INT8));
        Map<String, Map<String, String>> leftOut = new LinkedHashMap<>(); // fp32 variant id -> leftOut.<precision> -> why
        Int8Calibration calibration = o.precisions().contains(Precision.INT8)
                ? new Int8Calibration(fidelity, denoiser, defaults, progress) : null;
        for (Precision p : o.precisions()) {
            for (Form f : forms) {
                String id = p.id() + "-" + f.kind().id();
                String fp32Id = "fp32-" + f.kind().id();
                long t0 = System.nanoTime();
                OnnxModel model = f.model();
                Map<String, String> attrs = new LinkedHashMap<>(f.attributes());
                List<Report> reports = new ArrayList<>();
                if (f.fidelity() != null) {
                    // every variant of a rewritten form carries the rewrite's fidelity, so the runtime can hold it to a floor
                    reports.add(AttentionVariants.forVariant(f.fidelity(), id, referenceId));
                }
                if (p != Precision.FP32) {
                    Report acc;
                    String hint;
                    if (p == Precision.FP16) {
                        // the converter's own keep-list: keeping the timestep embedder and adaLN FP32 as well changed the
                        // noise cosine by 1e-7 on DiT-S (benchmarks/fp16-diffusion-cpu-2026-12-02.md); the gate below catches the rest
                        Fp16Converter.Result r = Fp16Converter.convert(f.model(), o.precision().fp16());
                        acc = fidelity.precisionReport(id, fp32Id, f.model(), r.model(), defaults, fp16Notes(r));
                        model = r.model();
                        attrs.put("fp32Nodes", String.valueOf(r.keptFp32().size()));
                        hint = "keep more of it in FP32 with --keep-fp32";
                    } else {
                        // Int8Options' defaults keep the timestep embedder, adaLN, patch embedding, final linear and attention
                        // BMMs float: quantizing the first, third, fourth or fifth cost fidelity on the trained digits DiT, adaLN
                        // gains nothing (benchmarks/int8-diffusion-trained-digits-cpu-2026-12-03.md)
                        Int8Calibration.Int8Denoiser r;
                        try {
                            r = calibration.quantize(f.model(), id, fp32Id, o.precision());
                        } catch (NoInt8LayerException e) {
                            // every layer float: the FP32 variant under another name, which that variant already is
                            String why = e.reason() + "; " + fp32Id + " already covers this (" + e.hint() + ")";
                            progress.accept(id + " left out: " + why);
                            leftOut.computeIfAbsent(fp32Id, k -> new LinkedHashMap<>()).put("leftOut." + p.id(), why);
                            continue;
                        }
                        acc = r.report();
                        model = r.model();
                        attrs.putAll(r.attributes());
                        hint = r.hint();
                    }
                    Map<String, Double> m = acc.metrics();
                    progress.accept(String.format(Locale.ROOT, "%s: predicted-noise cosine vs fp32 %s; final latents cosine %.5f,"
                            + " max abs diff %.3g", id, perTimestep(m, fidelity.timesteps()), m.get("finalLatentCosine"),
                            m.get("finalLatentMaxAbsDiff")));
                    if (!(m.get("cosine") >= o.precision().minCosine())) {
                        String why = String.format(Locale.ROOT, "its worst predicted-noise cosine %.5f is below --min-cosine %s",
                                m.get("cosine"), o.precision().minCosine());
                        // with its hint: a left-out variant has no report, so this is where the bundle says what to try
                        why = why + " (" + hint + ")";
                        progress.accept(id + " left out: " + why);
                        leftOut.computeIfAbsent(fp32Id, k -> new LinkedHashMap<>()).put("leftOut." + p.id(), why);
                        continue;
                    }
                    reports.add(acc);
                }
                addOnnx(a, id, Role.DENOISER, model, p, f.kind(), o, attrs);
                reports.forEach(a::report);
                progress.accept(String.format(Locale.ROOT, "variant %-22s written (%.1f s)", id, (System.nanoTime() - t0) / 1e9));
            }
        }
        // recorded on the FP32 variant, written in the loop before its reduced forms were measured
        leftOut.forEach((id, why) -> why.forEach((k, v) -> a.attribute(id, k, v)));
        Map<String, String> decAttrs = new LinkedHashMap<>();
        decAttrs.put("source", decoderFile.getFileName().toString());
        addOnnx(a, "fp32-decoder", Role.DECODER, decoder, Precision.FP32, AttentionKind.NONE, o, decAttrs);
        progress.accept(String.format(Locale.ROOT, "variant %-22s written; defaults %s", "fp32-decoder", defaults.toPipeline()));
        if (o.precisions().contains(Precision.FP16)) {
            Fp16Converter.Result r = Fp16Converter.convert(decoder, o.precision().fp16());
            Report acc = fidelity.decoderReport("fp16-decoder", "fp32-decoder", decoder, r.model(), fp16Notes(r));
            double cos = acc.metrics().get("cosine");
            progress.accept(String.format(Locale.ROOT, "fp16-decoder: image cosine vs fp32 %.5f, max abs error %.3g", cos,
                    acc.metrics().get("maxAbsError")));
            if (cos >= o.precision().minCosine()) {
                Map<String, String> attrs = new LinkedHashMap<>(decAttrs);
                attrs.put("fp32Nodes", String.valueOf(r.keptFp32().size()));
                addOnnx(a, "fp16-decoder", Role.DECODER, r.model(), Precision.FP16, AttentionKind.NONE, o, attrs);
                a.report(acc);
                progress.accept(String.format(Locale.ROOT, "variant %-22s written", "fp16-decoder"));
            } else {
                String why = String.format(Locale.ROOT, "its image cosine %.5f is below --min-cosine %s", cos, o.precision().minCosine());
                progress.accept("fp16-decoder left out: " + why + " (keep more of it in FP32 with --keep-fp32)");
                a.attribute("fp32-decoder", "leftOut.fp16", why);
            }
        }
        if (o.precisions().contains(Precision.INT8)) {
            // it runs once per image, not once per step: INT8 would save little, and its error would land on the pixels
            progress.accept("int8: built for the denoiser only; the decoder stays fp32" + (o.precisions().contains(Precision.FP16)
                    ? " and fp16" : "") + " (it runs once per image, not once per step)");
            a.attribute("fp32-decoder", "leftOut.int8", "INT8 is built for the denoiser only; the decoder runs once per image, not once per step");
        }
        if (o.engines() != null) {
            long[] latents = {-1, defaults.latentChannels(), defaults.latentHeight(), defaults.latentWidth()};
            String decoderInput = decoder.graph().inputs().get(0).getName();
            EngineStage.build(a, a.variants(), o.engines(), progress,
                    v -> v.role() == Role.DECODER ? Map.of(decoderInput, latents) : Map.of());
        }
        return a.write();
    }

    /** Refuses what a diffusion bundle cannot hold, before any work. */
    static void checkOptions(ConversionOptions o) {
        if (!o.precisions().contains(Precision.FP32)) {
            throw new IllegalArgumentException("--precision " + o.precisions().stream().map(Precision::id).toList()
                    + " for a latent-diffusion bundle, expected fp32 among them (FP32 is the reference FP16 and INT8 are measured"
                    + " against, and INT8 calibrates on its generations)");
        }
        EngineStage.requireInt8Profile(o);
        if (!o.attention().contains("keep")) {
            throw new IllegalArgumentException("--attention " + o.attention() + " for a latent-diffusion bundle, expected keep among"
                    + " the forms (the pipeline runs the vanilla denoiser after the first ELFATT-SD steps)");
        }
        if (!o.labels().isEmpty()) {
            throw new IllegalArgumentException("--labels for a latent-diffusion bundle, which has no label output;"
                    + " pass class indices to 'jedge generate --class N'");
        }
    }

    /**
     * The latents the denoiser makes must be what the decoder takes: the same channel count, and the
     * same height and width where the decoder fixes them. Checked before any variant is built.
     */
    static void checkLatents(String denoiserName, OnnxModel denoiser, String decoderName, OnnxModel decoder, GenerationDefaults d) {
        long c = d.latentChannels();
        long h = d.latentHeight();
        long w = d.latentWidth();
        String made = "[N," + c + "," + h + "," + w + "]";
        long[] out = Graph.dims(denoiser.graph().outputs().get(0));
        if (out.length != 4 || (out[1] > 0 && out[1] != c && out[1] != 2 * c) || (out[2] > 0 && out[2] != h) || (out[3] > 0 && out[3] != w)) {
            throw new IllegalArgumentException("denoiser " + denoiserName + " takes latents " + made + " but predicts "
                    + Graph.dimsText(denoiser.graph().outputs().get(0)) + ", expected [N," + c + "," + h + "," + w + "] (or "
                    + 2 * c + " channels with learned variance)");
        }
        ValueInfoProto in = decoder.graph().inputs().get(0);
        long[] dec = Graph.dims(in);
        boolean fits = dec.length == 4 && (dec[1] < 1 || dec[1] == c) && (dec[2] < 1 || dec[2] == h) && (dec[3] < 1 || dec[3] == w);
        if (!fits) {
            throw new IllegalArgumentException("denoiser " + denoiserName + " makes latents " + made + " but decoder " + decoderName
                    + " takes '" + in.getName() + "' " + Graph.dimsText(in) + "; build the decoder for " + c + "-channel " + h + "x" + w
                    + " latents (jedge build-model vae-decoder --latent-channels " + c + " leaves its size dynamic)");
        }
    }

    /** "t=999 0.99990, t=500 0.99981, ..." over the report's timesteps. */
    private static String perTimestep(Map<String, Double> m, long[] timesteps) {
        StringBuilder b = new StringBuilder();
        for (long t : timesteps) {
            b.append(String.format(Locale.ROOT, "%st=%d %.5f", b.isEmpty() ? "" : ", ", t, m.get("noiseCosine_t" + t)));
        }
        return b.toString();
    }

    private static List<String> fp16Notes(Fp16Converter.Result r) {
        List<String> notes = new ArrayList<>();
        notes.add(r.keptFp32().size() + " nodes kept in FP32, " + r.castsInserted() + " Casts inserted");
        r.keptFp32().entrySet().stream().limit(20).forEach(k -> notes.add("fp32: " + k.getKey() + " (" + k.getValue() + ")"));
        return notes;
    }

    /** The defaults the models imply, with {@code overrides} applied and the result validated. */
    static GenerationDefaults defaults(OnnxModel denoiser, OnnxModel decoder, Map<String, String> overrides) {
        Map<String, String> dm = denoiser.metadata();
        Map<String, String> cm = decoder.metadata();
        GenerationDefaults.Builder b = GenerationDefaults.builder();
        long[] lat = Graph.dims(denoiser.graph().inputs().stream()
                .filter(v -> Graph.dims(v).length == 4).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("denoiser has no rank-4 latents input")));
        b.latentSize((int) lat[1], (int) lat[2], (int) lat[3]);
        int classes = Integer.parseInt(dm.getOrDefault("jedge.classes", "0"));
        b.nullClass(classes > 0 ? Long.valueOf(classes) : null);
        b.guidanceScale(classes > 0 ? 4.0 : 1.0);
        if ("taesd-decoder".equals(cm.get("jedge.model"))) {
            b.decoderRange(PixelRange.ZERO_TO_ONE);
        }
        if (cm.containsKey("jedge.latent_scaling_factor")) {
            b.latentScalingFactor(Double.parseDouble(cm.get("jedge.latent_scaling_factor")));
        }
        Map<String, String> p = new LinkedHashMap<>(b.build().toPipeline());
        if (lat[1] < 1 || lat[2] < 1 || lat[3] < 1) {
            p.remove(GenerationDefaults.LATENT_CHANNELS); // dynamic: the overrides must say
            p.remove(GenerationDefaults.LATENT_HEIGHT);
            p.remove(GenerationDefaults.LATENT_WIDTH);
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            if (!GenerationDefaults.builder().build().toPipeline().containsKey(e.getKey()) && !e.getKey().equals(GenerationDefaults.NULL_CLASS)) {
                throw new IllegalArgumentException("--pipeline " + e.getKey() + "=" + e.getValue() + ": unknown key, expected one of "
                        + GenerationDefaults.builder().nullClass(0L).build().toPipeline().keySet());
            }
            p.put(e.getKey(), e.getValue());
        }
        return GenerationDefaults.fromPipeline(p);
    }

    private static String stripExtension(String f) {
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
