package io.jedge.converters.convert;

import io.jedge.converters.models.DitBuilder;
import io.jedge.converters.models.DitConfig;
import io.jedge.converters.models.SeededWeights;
import io.jedge.converters.models.TaesdDecoderBuilder;
import io.jedge.converters.models.TaesdDecoderConfig;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.Fp16Converter;
import io.jedge.converters.precision.Fp16Options;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.diffusion.GenerationDefaults;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Measures FP16 fidelity of a seeded DiT and TAESD decoder under several keep-FP32 lists, the
 * measurement behind the diffusion FP16 defaults (benchmarks/fp16-diffusion-cpu-2026-12-02.md).
 *
 * <pre>java -cp ... io.jedge.converters.convert.Fp16DiffusionMeasure PRESET LATENT</pre>
 */
public final class Fp16DiffusionMeasure {
    private Fp16DiffusionMeasure() {
    }

    public static void main(String[] args) {
        DitConfig c = DitConfig.preset(args.length > 0 ? args[0] : "s").withLatentSize(args.length > 1 ? Integer.parseInt(args[1]) : 32);
        OnnxModel dit = DitBuilder.build(c, new SeededWeights(11));
        // unclamped, so that FP16 error is not hidden where the clip saturates
        OnnxModel dec = TaesdDecoderBuilder.build(new TaesdDecoderConfig(0, 4, false), new SeededWeights(12));
        GenerationDefaults d = DiffusionConverter.defaults(dit, dec, Map.of());
        DenoiserFidelity f = new DenoiserFidelity(dit, d.nullClass(), 1234);
        Map<String, Fp16Options> lists = new LinkedHashMap<>();
        lists.put("defaults (norms, reductions, softmax > 256)", Fp16Options.defaults());
        lists.put("nothing kept (pure FP16 but I/O)", Fp16Options.builder().keepFp32Ops(Set.of()).longSoftmaxAxis(0).build());
        lists.put("defaults + every Softmax", Fp16Options.builder().keepFp32("Softmax").build());
        lists.put("defaults + t_embedder + adaLN", Fp16Options.builder().keepFp32("t_embedder*", "*adaLN_modulation*").build());
        lists.put("defaults + residual adds", Fp16Options.builder().keepResidualAdds(true).build());
        System.out.printf(Locale.ROOT, "DiT preset %s latent %d (%d tokens), seeded weights%n", args.length > 0 ? args[0] : "s",
                c.latentSize(), c.tokens());
        for (Map.Entry<String, Fp16Options> e : lists.entrySet()) {
            long t0 = System.nanoTime();
            Fp16Converter.Result r = Fp16Converter.convert(dit, e.getValue());
            Report rep = f.precisionReport("fp16", "fp32", dit, r.model(), d, List.of());
            Map<String, Double> m = rep.metrics();
            System.out.printf(Locale.ROOT, "| %s | %d | %.2e | %.2e | %.2e | %.2e | %.2e | %.3g | %.0f s |%n", e.getKey(),
                    r.keptFp32().size(), 1 - m.get("noiseCosine_t999"), 1 - m.get("noiseCosine_t500"), 1 - m.get("noiseCosine_t100"),
                    1 - m.get("finalLatentCosine"), m.get("finalLatentRelRms"), m.get("finalLatentMaxAbsDiff"), (System.nanoTime() - t0) / 1e9);
        }
        for (Map.Entry<String, Fp16Options> e : lists.entrySet()) {
            if (e.getKey().contains("adaLN") || e.getKey().contains("Softmax")) {
                continue; // the decoder has neither
            }
            Fp16Converter.Result r = Fp16Converter.convert(dec, e.getValue());
            Report rep = f.decoderReport("fp16", "fp32", dec, r.model(), List.of());
            System.out.printf(Locale.ROOT, "| %s | %d | %.2e | %.3g |%n", e.getKey(), r.keptFp32().size(),
                    1 - rep.metrics().get("cosine"), rep.metrics().get("maxAbsError"));
        }
    }
}
