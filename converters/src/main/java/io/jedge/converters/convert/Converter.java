package io.jedge.converters.convert;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.bundle.BundleAssembler;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.converters.precision.NoInt8LayerException;
import io.jedge.converters.precision.PrecisionPasses;
import io.jedge.runtime.selection.AttentionCrossover;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * Builds every requested variant in memory first, so a variant refused by the accuracy gate
     * ({@code AccuracyTargetException}) or an interrupted calibration leaves no files behind. An INT8
     * variant left with no INT8 layer ({@link NoInt8LayerException}) is left out, the reason recorded
     * on its FP32 variant as attribute {@code leftOut.int8}; without an FP32 variant the conversion fails.
     */
    public Bundle convert(Path modelFile, Path bundleDir, ConversionOptions o) throws BundleException {
        List<String> merging = o.attention().stream().filter(f -> f.contains("tome")).toList();
        if (!merging.isEmpty()) {
            throw new IllegalArgumentException("--attention " + String.join(",", merging) + ": ToMe token merging is built for"
                    + " --task latent-diffusion bundles only (a classifier's tokens are not unmerged); use keep or elfatt-sd");
        }
        EngineStage.requireInt8Profile(o);
        BundleAssembler.prepare(bundleDir); // refuses a directory it must not replace before any work
        if (o.engines() != null) {
            EngineStage.checkAvailable();
        }
        OnnxModel source = OnnxModel.load(modelFile);
        if (o.engines() != null) {
            EngineStage.requireBuildable(source, modelFile);
        }
        PrecisionPasses passes = new PrecisionPasses(o.precision(), progress);
        boolean fp16 = o.precisions().contains(Precision.FP16);
        boolean int8 = o.precisions().contains(Precision.INT8);
        // names a rewrite adds (ELFATT-SD's) exist only once it ran; without one, every name is checked before any work
        boolean rewrites = o.attention().stream().anyMatch(f -> !f.equals("keep"));
        if (!rewrites) {
            passes.requireListedNamesExist(List.of(source), fp16, int8);
        }
        String name = o.name() != null ? o.name() : stripExtension(modelFile.getFileName().toString());
        if (!io.jedge.sdk.Printable.isPlain(name)) { // the manifest refuses it at load: say so now, not after every variant is built
            throw new IllegalArgumentException((o.name() != null ? "--name" : "the model's file name") + " '"
                    + io.jedge.sdk.Printable.escape(name) + "' holds control characters; expected plain text"
                    + (o.name() != null ? "" : " (give --name)"));
        }
        List<TensorSpec> inputs = inputSpecs(source);
        Preprocessing pre = imagePreprocessing(inputs, o.preprocessing());
        BundleAssembler a = new BundleAssembler(bundleDir, name).preprocessing(pre).describe(source, o.task(), inferredOutputShapes(source, inputs))
                .labels(o.labels());
        boolean classifier = a.task() == Task.IMAGE_CLASSIFICATION;
        record Pending(String id, OnnxModel model, Precision precision, AttentionKind attention, Map<String, String> attributes,
                List<Report> reports, long nanos) {
        }
        List<Pending> pending = new ArrayList<>();
        Map<String, String> leftOut = new LinkedHashMap<>(); // fp32 variant id -> why its INT8 variant is left out
        List<AttentionVariant> forms = AttentionVariants.produce(source, o, inputs, pre, progress);
        if (rewrites) { // still before any FP16 or INT8 pass
            passes.requireListedNamesExist(forms.isEmpty() ? List.of(source) : forms.stream().map(AttentionVariant::model).toList(),
                    fp16, int8);
        }
        for (AttentionVariant form : forms) {
            Map<String, String> attrs = new LinkedHashMap<>(form.attributes());
            attrs.put("source", modelFile.getFileName().toString());
            tokens(source).ifPresent(t -> attrs.put("tokens", String.valueOf(t)));
            for (Precision p : o.precisions()) {
                String id = p.id() + "-" + form.kind().id();
                long t0 = System.nanoTime();
                PrecisionPasses.Variant v;
                try {
                    v = switch (p) {
                        case FP32 -> new PrecisionPasses.Variant(form.model(), null, Map.of());
                        case FP16 -> passes.fp16(form.model(), id, inputs, pre, classifier);
                        case INT8 -> passes.int8(form.model(), id, inputs, pre, classifier);
                    };
                } catch (NoInt8LayerException e) {
                    // an INT8 variant with every layer float is its FP32 variant under another name: that one stands in
                    String fp32Id = Precision.FP32.id() + "-" + form.kind().id();
                    if (!o.precisions().contains(Precision.FP32)) {
                        NoInt8LayerException refused = new NoInt8LayerException(e.variant(), e.reason(), e.hint()
                                + ", or add fp32 to --precision to write the bundle without " + e.variant());
                        refused.initCause(e);
                        throw refused;
                    }
                    String why = e.reason() + "; " + fp32Id + " already covers this (" + e.hint() + ")";
                    progress.accept(id + " left out: " + why);
                    leftOut.put(fp32Id, why);
                    continue;
                }
                Map<String, String> va = new LinkedHashMap<>(attrs);
                va.putAll(v.attributes());
                List<Report> reports = new ArrayList<>();
                if (v.report() != null) {
                    reports.add(v.report());
                }
                // every variant of a rewritten form carries the rewrite's fidelity, so the runtime can hold it to a floor
                if (form.fidelity() != null) {
                    reports.add(AttentionVariants.forVariant(form.fidelity(), id, "fp32-" + attentionOf(source).id()));
                }
                pending.add(new Pending(id, v.model(), p, form.kind(), va, reports, System.nanoTime() - t0));
            }
        }
        // recorded on the FP32 variant as a latent-diffusion bundle records its left-out precisions
        pending.stream().filter(v -> leftOut.containsKey(v.id())).forEach(v -> v.attributes().put("leftOut.int8", leftOut.get(v.id())));
        boolean forTensorRt = EngineStage.forTensorRt(o);
        boolean hasVanilla = pending.stream().anyMatch(v -> v.attention() == AttentionKind.VANILLA);
        for (Pending v : pending) {
            defaultNote(v.id(), v.attention(), v.attributes(), forTensorRt ? "tensorrt" : "ort-cpu", hasVanilla);
        }
        try (a) { // files are staged beside the target; close() removes them unless write() moved them into place
            for (Pending v : pending) {
                Map<String, String> attributes = forTensorRt ? EngineStage.tensorRtReady(v.id(), v.model(), v.attributes(), progress)
                        : v.attributes();
                a.addOnnx(v.id(), Role.MODEL, v.model(), v.precision(), v.attention(), o.batchMin(), o.batchOpt(), o.batchMax(), attributes);
                v.reports().forEach(a::report);
                progress.accept(String.format("variant %-22s written (%.1f s)", v.id(), v.nanos() / 1e9));
            }
            if (o.engines() != null) {
                EngineStage.build(a, a.variants(), o.engines(), progress);
            }
            return a.write();
        }
    }

    /**
     * An ELFATT-family variant slower than vanilla attention at its length on the target backend
     * (measured, {@link AttentionCrossover}: the table the runtime's prior reads too) is never the
     * bundle's default: it gets attribute {@code notDefault} with the reason, and the runtime rates
     * it under the vanilla variant until figures measured on the device say otherwise. Without a
     * vanilla variant the model's own attention stays, and the line says so.
     */
    private void defaultNote(String id, AttentionKind kind, Map<String, String> attributes, String target, boolean hasVanilla) {
        if (kind == AttentionKind.VANILLA || kind == AttentionKind.NONE) {
            return;
        }
        String why = AttentionCrossover.whyNotDefault(target, AttentionCrossover.tokens(attributes));
        if (why.isEmpty()) {
            return;
        }
        if (hasVanilla) {
            attributes.put("notDefault", why + "; the vanilla variant is the default there");
            progress.accept("variant " + id + " is not the default: " + why);
        } else {
            progress.accept("variant " + id + ": " + why + "; this bundle has no vanilla variant, so it is "
                    + "the default (a vanilla-attention model would run faster on this target)");
        }
    }

    /**
     * The class count of an image classifier whose export left it symbolic (torch's legacy exporter writes a Hugging Face
     * model's output as [batch, "Gather..._dim_1"]), from the converters' shape inference: without it the model would be
     * bundled as generic and {@code --labels} left unchecked. Only for one image input [N,C,H,W] or [N,H,W,C] of fixed
     * size and one output [N, classes]: a dim past the batch of any other output may depend on the data (a detector's
     * box count) and stays symbolic. Empty otherwise, or when inference cannot fix the class count either.
     */
    private static Map<String, long[]> inferredOutputShapes(OnnxModel source, List<TensorSpec> inputs) {
        List<ValueInfoProto> outs = source.graph().outputs();
        long[] out = outs.size() == 1 ? Graph.dims(outs.get(0)) : new long[0];
        boolean image = inputs.size() == 1 && inputs.get(0).shape().size() == 4
                && inputs.get(0).shape().stream().skip(1).allMatch(d -> d > 0);
        if (!image || out.length != 2 || out[1] >= 0) {
            return Map.of();
        }
        long[] inferred = io.jedge.converters.onnx.Shapes.infer(source.graph()).dims(outs.get(0).getName());
        return inferred != null && inferred.length == 2 && inferred[1] > 0 ? Map.of(outs.get(0).getName(), inferred) : Map.of();
    }

    private static List<TensorSpec> inputSpecs(OnnxModel m) {
        List<TensorSpec> out = new ArrayList<>();
        for (ValueInfoProto v : m.graph().inputs()) {
            List<Long> shape = new ArrayList<>();
            for (long d : Graph.dims(v)) {
                shape.add(d);
            }
            out.add(new TensorSpec(v.getName(), TensorData.typeName(Graph.elemType(v)), shape));
        }
        return out;
    }

    /**
     * What the bundle records and calibration uses: the model's image input [N,1|3,H,W] with the
     * user's choices applied (timm config, --mean/--std/--resize/--crop/--interpolation); null when
     * the model takes no image and nothing was asked.
     */
    private static Preprocessing imagePreprocessing(List<TensorSpec> inputs, PreprocessingOptions options) {
        return options.resolve(inputs);
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
