package io.jedge.converters.convert;

import io.jedge.converters.bundle.BundleAssembler;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Role;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns an ONNX model into a bundle: one variant per requested precision (and attention form),
 * each with its reports. The library behind {@code jedge convert}.
 */
public final class Converter {
    private final Consumer<String> progress;

    /** @param progress receives one line per step (e.g. System.out::println); never null */
    public Converter(Consumer<String> progress) {
        this.progress = progress;
    }

    public Bundle convert(Path modelFile, Path bundleDir, ConversionOptions o) throws BundleException {
        if (o.engines() != null) {
            EngineStage.checkAvailable();
        }
        OnnxModel source = OnnxModel.load(modelFile);
        String name = o.name() != null ? o.name() : stripExtension(modelFile.getFileName().toString());
        BundleAssembler a = new BundleAssembler(bundleDir, name).describe(source, o.task()).labels(o.labels());
        for (AttentionForm form : AttentionForms.produce(source, o, progress)) {
            Map<String, String> attrs = new LinkedHashMap<>(form.attributes());
            attrs.put("source", modelFile.getFileName().toString());
            tokens(source).ifPresent(t -> attrs.put("tokens", String.valueOf(t)));
            for (Precision p : o.precisions()) {
                String id = p.id() + "-" + form.kind().id();
                long t0 = System.nanoTime();
                OnnxModel variant = switch (p) {
                    case FP32 -> form.model();
                    default -> throw new IllegalArgumentException("--precision " + p.id()
                            + " is not available in this build; use fp32");
                };
                a.addOnnx(id, Role.MODEL, variant, p, form.kind(), o.batchMin(), o.batchOpt(), o.batchMax(), attrs);
                if (form.fidelity() != null) {
                    a.report(AttentionForms.forVariant(form.fidelity(), id, p.id() + "-" + attentionOf(source).id()));
                }
                progress.accept(String.format("variant %-22s written (%.1f s)", id, (System.nanoTime() - t0) / 1e9));
            }
        }
        if (o.engines() != null) {
            EngineStage.build(a, a.variants(), o.engines(), progress);
        }
        return a.write();
    }

    /** The attention a model computes, from jedge's own metadata; imported models count as vanilla. */
    static AttentionKind attentionOf(OnnxModel m) {
        String k = m.metadata().get("jedge.attention");
        return k != null ? AttentionKind.parse(k) : AttentionKind.VANILLA;
    }

    /** Token count of a jedge-built ViT, for selection priors. */
    static java.util.Optional<Integer> tokens(OnnxModel m) {
        String cfg = m.metadata().get("jedge.tokens");
        return cfg == null ? java.util.Optional.empty() : java.util.Optional.of(Integer.parseInt(cfg));
    }

    private static String stripExtension(String f) {
        int dot = f.lastIndexOf('.');
        return dot > 0 ? f.substring(0, dot) : f;
    }
}
