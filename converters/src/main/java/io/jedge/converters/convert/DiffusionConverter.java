package io.jedge.converters.convert;

import io.jedge.converters.attention.FidelityEvaluator;
import io.jedge.converters.bundle.BundleAssembler;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.Tensor;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Assembles a latent-diffusion bundle from a denoiser and a decoder: the denoiser in each
 * {@code --attention} form ({@code fp32-vanilla}, {@code fp32-elfatt-sd} with its fidelity report
 * on the predicted noise), the decoder ({@code fp32-decoder}), and the {@link GenerationDefaults}
 * in the manifest's pipeline map. The defaults come from the models (latent shape from the
 * denoiser's input, null class from a jedge-built DiT's class count, scaling factor and pixel range
 * from a jedge-built TAESD decoder; SD's VAE values otherwise) and are overridden by
 * {@code overrides} (pipeline keys, e.g. {@code nullClass=1000}, {@code steps=50}).
 */
public final class DiffusionConverter {
    private static final long FIDELITY_SEED = 1234;

    private final Consumer<String> progress;

    /** @param progress receives one line per step; never null */
    public DiffusionConverter(Consumer<String> progress) {
        this.progress = progress;
    }

    /**
     * @throws IllegalArgumentException for options a diffusion bundle cannot take (non-FP32, a
     *                                  denoiser without a supported attention block for elfatt-sd,
     *                                  malformed overrides)
     */
    public Bundle convert(Path denoiserFile, Path decoderFile, Path bundleDir, ConversionOptions o, Map<String, String> overrides)
            throws BundleException {
        BundleAssembler.prepare(bundleDir); // refuses a directory it must not replace before any work
        if (!o.precisions().equals(List.of(Precision.FP32))) {
            throw new IllegalArgumentException("--precision " + o.precisions().stream().map(Precision::id).toList()
                    + " for a latent-diffusion bundle, expected fp32 (the only precision its denoiser and decoder convert to here)");
        }
        if (!o.attention().contains("keep")) {
            throw new IllegalArgumentException("--attention " + o.attention() + " for a latent-diffusion bundle, expected keep among"
                    + " the forms (the pipeline runs the vanilla denoiser after the first ELFATT-SD steps)");
        }
        OnnxModel denoiser = OnnxModel.load(denoiserFile);
        OnnxModel decoder = OnnxModel.load(decoderFile);
        if (decoder.graph().inputs().size() != 1) {
            throw new IllegalArgumentException("decoder " + decoderFile + ": " + decoder.graph().inputs().size()
                    + " inputs, expected one (latents [N,C,h,w])");
        }
        GenerationDefaults defaults = defaults(denoiser, decoder, overrides);
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
        for (String form : o.attention()) {
            long t0 = System.nanoTime();
            if (form.equals("keep")) {
                a.addOnnx(referenceId, Role.DENOISER, denoiser, Precision.FP32, sourceKind, o.batchMin(), o.batchOpt(), o.batchMax(), common);
                progress.accept(String.format(Locale.ROOT, "variant %-22s written (%.1f s)", referenceId, (System.nanoTime() - t0) / 1e9));
                continue;
            }
            List<Map<String, Tensor>> feeds = fidelity.feeds();
            FidelityEvaluator eval = FidelityEvaluator.builder().inputs(feeds).threads(0).build();
            OnnxModel rewritten;
            Report report;
            List<Integer> layers;
            FidelityEvaluator.Selection sel = eval.selectByFidelity(denoiser, o.elfattSd(), o.fidelity(), progress);
            if (sel.layers().isEmpty()) {
                progress.accept("elfatt-sd left out: no block keeps the denoiser's " + o.fidelity()
                        + " (lower the floor with --fidelity-min to accept more error)");
                continue;
            }
            rewritten = sel.model();
            report = sel.report();
            layers = sel.layers();
            String id = "fp32-" + AttentionKind.ELFATT_SD.id();
            report = fidelity.withNoiseMetrics(AttentionForms.forVariant(report, id, referenceId), denoiser, rewritten, feeds);
            Map<String, String> attrs = new LinkedHashMap<>(common);
            attrs.put("elfattLayers", layers.toString());
            attrs.put("elfattBlock", String.valueOf(o.elfattSd().block()));
            attrs.put("elfattAgents", String.valueOf(o.elfattSd().agents()));
            a.addOnnx(id, Role.DENOISER, rewritten, Precision.FP32, AttentionKind.ELFATT_SD, o.batchMin(), o.batchOpt(), o.batchMax(), attrs);
            a.report(report);
            Map<String, Double> m = report.metrics();
            progress.accept(String.format(Locale.ROOT, "elfatt-sd: rewrote blocks %s; predicted-noise cosine t=999 %.5f, t=500 %.5f,"
                            + " t=100 %.5f (%.1f s)", layers, m.get("noiseCosine_t999"), m.get("noiseCosine_t500"),
                    m.get("noiseCosine_t100"), (System.nanoTime() - t0) / 1e9));
            progress.accept(String.format(Locale.ROOT, "variant %-22s written", id));
        }
        Map<String, String> decAttrs = new LinkedHashMap<>();
        decAttrs.put("source", decoderFile.getFileName().toString());
        a.addOnnx("fp32-decoder", Role.DECODER, decoder, Precision.FP32, AttentionKind.NONE, o.batchMin(), o.batchOpt(), o.batchMax(), decAttrs);
        progress.accept(String.format(Locale.ROOT, "variant %-22s written; defaults %s", "fp32-decoder", defaults.toPipeline()));
        return a.write();
    }

    /** The defaults the models imply, with {@code overrides} applied and the result validated. */
    static GenerationDefaults defaults(OnnxModel denoiser, OnnxModel decoder, Map<String, String> overrides) {
        Map<String, String> dm = denoiser.metadata();
        Map<String, String> cm = decoder.metadata();
        GenerationDefaults.Builder b = GenerationDefaults.builder();
        long[] lat = io.jedge.converters.onnx.Graph.dims(denoiser.graph().inputs().stream()
                .filter(v -> io.jedge.converters.onnx.Graph.dims(v).length == 4).findFirst()
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
