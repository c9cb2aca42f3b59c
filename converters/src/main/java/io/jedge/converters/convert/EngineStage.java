package io.jedge.converters.convert;

import io.jedge.converters.attention.TensorRtReady;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.bundle.BundleAssembler;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.Node;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.precision.QuantProfile;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.trt.build.EnginePlan;
import io.jedge.runtime.backend.trt.build.TrtEngineBuilder;
import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code --engines tensorrt}: one serialized engine per ONNX variant, built from the variant's own
 * types (strongly typed network), recorded with its fingerprint. ONNX ops newer than TensorRT
 * 10.x's parser (the opset-23 {@code Attention}) and ONNX Runtime's {@code MultiHeadAttention} are lowered
 * first; a model with contrib ops that cannot be lowered is refused by the converter before any work. An engine carries its
 * source variant's reports (their measurements hold for the graph it was built from), so the runtime
 * holds an approximate engine to the same fidelity floor as its ONNX variant.
 */
final class EngineStage {
    private EngineStage() {
    }

    /** Refuses, before any work, a model that would give no engine: contrib ops that cannot be lowered. */
    static void requireBuildable(OnnxModel model, Path file) {
        String why = TensorRtReady.whyNot(model);
        if (!why.isEmpty()) {
            throw new IllegalArgumentException("--engines tensorrt: " + file.getFileName() + " cannot become a TensorRT engine: "
                    + why + "; convert without --engines, or export without ONNX Runtime's fused ops");
        }
    }

    /**
     * Refuses, before any work, a ToMe form ({@code tome}, {@code elfatt-sd+tome}) asked for with TensorRT
     * ({@code --engines tensorrt} or {@code --profile tensorrt}) that TensorRT could not build: past its TopK limit, the
     * form would be chosen and measured, then fail the engine build or ship without {@code tensorrtReady}.
     */
    static void requireTomeBuildable(ConversionOptions o, OnnxModel denoiser, Path file) {
        List<String> merging = o.attention().stream().filter(f -> f.contains("tome")).toList();
        if (merging.isEmpty() || !forTensorRt(o)) {
            return;
        }
        String why = TensorRtReady.whyNotTome(denoiser, o.tome());
        if (!why.isEmpty()) {
            throw new IllegalArgumentException("--attention " + String.join(",", merging) + " with "
                    + (o.engines() != null ? "--engines tensorrt" : "--profile tensorrt") + ": " + file.getFileName()
                    + " cannot be merged for TensorRT: " + why + "; convert a smaller latent (at most 5120 tokens per block), or"
                    + " leave ToMe out of --attention for TensorRT");
        }
    }

    /**
     * Refuses, before any work, INT8 variants for engines in a Q/DQ layout TensorRT does not take: it builds from
     * symmetric int8 Q/DQ only, which the tensorrt profile writes; the ort-cpu profile's uint8 activations would fail
     * the engine build after every variant was made.
     */
    static void requireInt8Profile(ConversionOptions o) {
        if (o.engines() != null && o.precisions().contains(Precision.INT8) && o.precision().int8().profile() != QuantProfile.TENSORRT) {
            throw new IllegalArgumentException("--precision int8 with --engines tensorrt needs --profile tensorrt: TensorRT takes"
                    + " symmetric int8 Q/DQ only, and the " + o.precision().int8().profile().cliName() + " profile writes "
                    + o.precision().int8().activationType().name().toLowerCase(java.util.Locale.ROOT) + " activations");
        }
    }

    /** Whether a convert writes for TensorRT: {@code --engines tensorrt}, or INT8 in the tensorrt Q/DQ profile. */
    static boolean forTensorRt(ConversionOptions o) {
        return o.engines() != null || (o.precision().int8() != null && o.precision().int8().profile() == QuantProfile.TENSORRT);
    }

    /**
     * For TensorRT the ONNX variant is written ready for TensorRT's parser, so that a device can build its own engine
     * from it: Attention ops lowered, attention scales folded onto the logits (TensorRT 10.6 mis-fuses Q/K-side
     * scaling). Prepares {@code m} in place; returns {@code attributes} with {@code tensorrtReady}, or without it and a
     * line saying why where the model cannot be made ready. One rule for classifiers, denoisers and decoders.
     */
    static Map<String, String> tensorRtReady(String id, OnnxModel m, Map<String, String> attributes, Consumer<String> progress) {
        TensorRtReady.Result r = TensorRtReady.prepare(m);
        if (r.changed()) {
            progress.accept("variant " + id + ": ready for TensorRT (" + r.lowered().size() + " attention op(s) lowered, scale folded in "
                    + r.folded().size() + " block(s))");
        }
        Map<String, String> out = new java.util.LinkedHashMap<>(attributes);
        if (!r.ready()) { // a device could not build an engine from it: say so instead of marking it ready
            progress.accept("variant " + id + ": not TensorRT-ready, " + r.whyNot());
            return out;
        }
        out.put("tensorrtReady", "true");
        return out;
    }

    /** Fails at once, before any conversion work, when TensorRT cannot build here. */
    static void checkAvailable() {
        TrtEngineBuilder.unavailableReason().ifPresent(why -> {
            throw new JedgeException(JedgeException.Code.BACKEND_UNAVAILABLE, "--engines tensorrt: " + why);
        });
    }

    static void build(BundleAssembler a, List<Variant> onnxVariants, TrtBuildOptions options, Consumer<String> progress)
            throws BundleException {
        build(a, onnxVariants, options, progress, v -> Map.of());
    }

    /**
     * @param pinned per variant, input name → the full shape to build for, for inputs whose
     *               non-batch dimensions are dynamic (a TAESD decoder's latent height and width):
     *               the engine profile varies only the batch
     */
    static void build(BundleAssembler a, List<Variant> onnxVariants, TrtBuildOptions options, Consumer<String> progress,
            Function<Variant, Map<String, long[]>> pinned) throws BundleException {
        for (Variant v : onnxVariants) {
            Path src = a.dir().resolve(v.file());
            OnnxModel m = OnnxModel.load(src);
            Map<String, long[]> pins = pinned.apply(v);
            boolean pin = pinInputs(m, pins);
            if (pin) {
                progress.accept("engine for " + v.id() + ": built for inputs " + pins.entrySet().stream()
                        .map(e -> e.getKey() + java.util.Arrays.toString(e.getValue()).replace(" ", "")).toList()
                        + " (dynamic sizes pinned; the batch stays dynamic)");
            }
            TensorRtReady.Result ready = TensorRtReady.prepare(m);
            if (!ready.ready()) { // convert refuses these (contrib ops, ToMe past the TopK limit) before any work: a bug
                throw new IllegalStateException("engine for " + v.id() + ": " + ready.whyNot());
            }
            if (!ready.folded().isEmpty()) {
                progress.accept("engine for " + v.id() + ": attention scale folded onto the logits in " + ready.folded().size()
                        + " block(s) (TensorRT 10.6 mis-fuses Q/K-side scaling)");
            }
            Path input = src;
            Path lowered = null;
            if (pin || ready.changed()) {
                try {
                    lowered = Files.createTempFile(a.dir(), "." + v.id(), ".trt.onnx");
                } catch (IOException e) {
                    throw new BundleException(a.dir(), "cannot write a temporary model (" + e.getMessage() + ")", e);
                }
                m.save(lowered);
                input = lowered;
                if (!ready.lowered().isEmpty()) {
                    progress.accept("engine for " + v.id() + ": lowered " + ready.lowered().size() + " attention op(s) for TensorRT");
                }
            }
            long t0 = System.nanoTime();
            EnginePlan e;
            try {
                e = new TrtEngineBuilder(options).onProgress(l -> progress.accept("  " + l)).build(input);
            } finally {
                if (lowered != null) {
                    lowered.toFile().delete();
                }
            }
            String id = v.id() + "-trt";
            String file = id + ".plan";
            try {
                e.write(a.dir().resolve(file));
            } catch (IOException ex) {
                throw new BundleException(a.dir().resolve(file), "cannot be written (" + ex.getMessage() + ")", ex);
            }
            Map<String, String> attrs = new LinkedHashMap<>(v.attributes());
            attrs.put("sourceVariant", v.id());
            if (pin) {
                pins.forEach((name, dims) -> attrs.put("shape." + name, java.util.Arrays.toString(dims).replace(" ", "")));
            }
            attrs.put("buildSeconds", String.format(java.util.Locale.ROOT, "%.1f", e.buildTime().toMillis() / 1000.0));
            a.addFile(id, v.role(), file, VariantFormat.TENSORRT_ENGINE, v.precision(), v.attention(), options.batchMin(),
                    options.batchOpt(), options.batchMax(), e.fingerprint(), attrs);
            carryReports(a, v.id(), id);
            progress.accept(String.format("variant %-22s engine built in %.1f s (%d layers, %s)", id, (System.nanoTime() - t0) / 1e9,
                    e.layers(), e.fingerprint().gpu()));
        }
    }

    /** Records {@code from}'s reports for {@code to} too, noting where they were measured. */
    static void carryReports(BundleAssembler a, String from, String to) {
        for (Report r : a.reports(from)) {
            a.report(r.carriedTo(to));
        }
    }

    /** Sets the dynamic non-batch dims of the named inputs to {@code pins}' values; true when any changed. */
    static boolean pinInputs(OnnxModel m, Map<String, long[]> pins) {
        boolean changed = false;
        List<ValueInfoProto> inputs = m.graph().inputs();
        for (int i = 0; i < inputs.size(); i++) {
            long[] want = pins.get(inputs.get(i).getName());
            if (want == null) {
                continue;
            }
            long[] have = Graph.dims(inputs.get(i));
            if (have.length != want.length) {
                throw new IllegalArgumentException("input '" + inputs.get(i).getName() + "' " + Graph.dimsText(inputs.get(i))
                        + ", expected rank " + want.length + " to build it for " + java.util.Arrays.toString(want));
            }
            long[] dims = have.clone();
            for (int d = 1; d < dims.length; d++) {
                if (dims[d] < 0) {
                    dims[d] = want[d];
                    changed = true;
                }
            }
            inputs.set(i, Graph.tensorInfo(inputs.get(i).getName(), Graph.elemType(inputs.get(i)), dims, "batch"));
        }
        return changed;
    }
}
