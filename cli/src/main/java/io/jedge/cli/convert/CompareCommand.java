package io.jedge.cli.convert;

import io.jedge.converters.compare.Comparison;
import io.jedge.converters.compare.ModelComparator;
import io.jedge.converters.compare.SessionFactory;
import io.jedge.converters.compare.TensorRtSessions;
import io.jedge.runtime.backend.SeededInputs;
import io.jedge.runtime.backend.trt.build.TrtBuildOptions;
import io.jedge.runtime.backend.Backends;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import io.jedge.sdk.Tensor;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "compare", description = "Run two variants on the same inputs and report cosine, max abs/rel error, top-1 agreement; "
        + "--layerwise finds the first tensor where they part.")
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE|MODEL.onnx", description = "A bundle, or with --against an ONNX model.")
    Path bundleDir;

    @Option(names = "--against", description = "tensorrt: compare MODEL.onnx on ONNX Runtime (A) with a TensorRT engine built from it (B).")
    String against;

    @Option(names = "--no-tf32", description = "With --against tensorrt: strict FP32 engine.")
    boolean noTf32;

    @Option(names = "--variants", split = ",", paramLabel = "A,B", description = "Reference and candidate (default: the FP32 variant and the next one).")
    List<String> variants;

    @Option(names = "--inputs", split = ",", paramLabel = "FILE.f32", description = "Input tensors (default: seeded inputs).")
    List<Path> inputs;

    @Option(names = "--samples", defaultValue = "4", description = "Seeded inputs when --inputs is not given (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--layerwise", description = "Expose shared intermediate tensors as outputs in both and find the first that parts.")
    boolean layerwise;

    @Option(names = "--mark", paramLabel = "REGEX", description = "With --layerwise: expose only tensors whose names match.")
    String mark;

    @Option(names = "--threshold", defaultValue = "0.999", description = "Cosine below which a tensor counts as parted (default ${DEFAULT-VALUE}).")
    double threshold;

    @Override
    public Integer call() throws Exception {
        if (against != null) {
            return againstTensorRt();
        }
        Bundle bundle = Bundle.load(bundleDir);
        List<Variant> vs = bundle.manifest().variants();
        Variant a;
        Variant b;
        if (variants != null) {
            if (variants.size() != 2) {
                throw new IllegalArgumentException("--variants takes two ids, A,B; got " + variants);
            }
            variants.forEach(id -> io.jedge.runtime.selection.VariantSelector.requireKnownVariant(bundle.manifest(), id));
            a = bundle.manifest().variant(variants.get(0)).orElseThrow();
            b = bundle.manifest().variant(variants.get(1)).orElseThrow();
        } else {
            a = vs.stream().filter(v -> v.precision() == Precision.FP32 && v.format() == VariantFormat.ONNX).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the bundle has no FP32 ONNX variant to compare against; give --variants A,B"));
            b = vs.stream().filter(v -> v != a).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("the bundle has only one variant; nothing to compare"));
        }
        if (a.format() != VariantFormat.ONNX || (layerwise && b.format() != VariantFormat.ONNX)) {
            throw new IllegalArgumentException("layer-wise comparison needs ONNX variants (engines cannot expose their intermediates); "
                    + "compare " + b.id() + "'s source ONNX instead");
        }
        SessionOptions so = SessionOptions.defaults();
        SessionFactory ort = SessionFactory.onnxRuntime(so);
        SessionFactory fb = b.format() == VariantFormat.ONNX ? ort : (source, model, name) -> Backends.forFormat(b.format()).open(bundle, b, so);
        List<Map<String, Tensor>> feeds;
        try (var s = new OrtBackend().open(bundle, a, so)) {
            feeds = feeds(s.inputs());
        }
        return print(comparator().compare(bundle.resolve(a), ort, a.id(), bundle.resolve(b), fb, b.id(), feeds, layerwise));
    }

    private int againstTensorRt() {
        if (!against.equals("tensorrt")) {
            throw new IllegalArgumentException("--against '" + against + "', expected tensorrt");
        }
        io.jedge.runtime.backend.trt.build.TrtEngineBuilder.unavailableReason().ifPresent(why -> {
            throw new io.jedge.sdk.JedgeException(io.jedge.sdk.JedgeException.Code.BACKEND_UNAVAILABLE, "--against tensorrt: " + why);
        });
        SessionOptions so = SessionOptions.defaults();
        SessionFactory trt = new TensorRtSessions(TrtBuildOptions.builder().batch(1, 1, 1).tf32(!noTf32).build());
        List<Map<String, Tensor>> feeds;
        try (var s = new OrtBackend().open(bundleDir, so)) {
            feeds = feeds(s.inputs());
        }
        return print(comparator().compare(bundleDir, SessionFactory.onnxRuntime(so), "ort-cpu", bundleDir, trt, "tensorrt", feeds, layerwise));
    }

    /** The --inputs files for the first input, or --samples seeded inputs. */
    private List<Map<String, Tensor>> feeds(List<TensorSpec> specs) {
        List<Map<String, Tensor>> feeds = new ArrayList<>();
        if (inputs != null) {
            for (Path p : inputs) {
                feeds.add(Map.of(specs.get(0).name(), readSamples(p, specs.get(0))));
            }
        } else {
            for (int i = 0; i < samples; i++) {
                feeds.add(SeededInputs.feed(specs, 1, 1000 + i));
            }
        }
        return feeds;
    }

    private ModelComparator comparator() {
        return new ModelComparator(threshold, mark == null ? null : Pattern.compile(mark));
    }

    private int print(Comparison c) {
        var out = spec.commandLine().getOut();
        out.print(c.text());
        out.flush();
        return 0;
    }

    private static Tensor readSamples(Path p, TensorSpec spec) {
        long[] shape = spec.shapeArray();
        return io.jedge.sdk.TensorFiles.read(p, java.util.Arrays.copyOfRange(shape, 1, shape.length));
    }
}
