package io.jedge.converters.bundle;

import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.jedge.converters.onnx.Graph;
import io.jedge.converters.onnx.OnnxModel;
import io.jedge.converters.onnx.TensorData;
import io.jedge.sdk.bundle.AttentionKind;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.BundleException;
import io.jedge.sdk.bundle.BundleManifest;
import io.jedge.sdk.bundle.Fingerprint;
import io.jedge.sdk.bundle.Precision;
import io.jedge.sdk.bundle.Preprocessing;
import io.jedge.sdk.bundle.Report;
import io.jedge.sdk.bundle.Role;
import io.jedge.sdk.bundle.Task;
import io.jedge.sdk.bundle.TensorSpec;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects variants and reports and writes them as a bundle. The model description (task, inputs,
 * outputs, preprocessing) comes from the first model added.
 */
public final class BundleAssembler {
    private final Path dir;
    private String name;
    private Task task;
    private List<TensorSpec> inputs;
    private List<TensorSpec> outputs;
    private Preprocessing preprocessing;
    private List<String> labels = List.of();
    private final Map<String, String> pipeline = new LinkedHashMap<>();
    private final List<Variant> variants = new ArrayList<>();
    private final List<Report> reports = new ArrayList<>();

    public BundleAssembler(Path dir, String name) {
        this.dir = dir.toAbsolutePath().normalize();
        this.name = name;
    }

    public Path dir() {
        return dir;
    }

    /** Describes the bundle from a model's graph inputs and outputs; guesses the task from their shapes. */
    public BundleAssembler describe(OnnxModel model, Task forcedTask) {
        inputs = specs(model.graph().inputs());
        outputs = specs(model.graph().outputs());
        task = forcedTask != null ? forcedTask : guessTask();
        if (task == Task.IMAGE_CLASSIFICATION && preprocessing == null) {
            List<Long> s = inputs.get(0).shape();
            preprocessing = Preprocessing.imagenet(s.get(2).intValue());
            if (s.get(2).longValue() != s.get(3).longValue()) {
                Preprocessing p = preprocessing;
                preprocessing = new Preprocessing(p.layout(), s.get(2).intValue(), s.get(3).intValue(), p.mean(), p.std(), p.resize());
            }
        }
        return this;
    }

    private Task guessTask() {
        if (inputs.size() == 1 && outputs.size() == 1) {
            List<Long> in = inputs.get(0).shape();
            List<Long> out = outputs.get(0).shape();
            if (in.size() == 4 && in.get(1) == 3 && in.get(2) > 0 && in.get(3) > 0 && out.size() == 2 && out.get(1) > 1) {
                return Task.IMAGE_CLASSIFICATION;
            }
        }
        return Task.GENERIC;
    }

    private static List<TensorSpec> specs(List<ValueInfoProto> vs) {
        List<TensorSpec> out = new ArrayList<>();
        for (ValueInfoProto v : vs) {
            List<Long> shape = new ArrayList<>();
            for (long d : Graph.dims(v)) {
                shape.add(d);
            }
            out.add(new TensorSpec(v.getName(), TensorData.typeName(Graph.elemType(v)), shape));
        }
        return out;
    }

    public BundleAssembler preprocessing(Preprocessing p) {
        this.preprocessing = p;
        return this;
    }

    public BundleAssembler labels(List<String> labels) {
        this.labels = List.copyOf(labels);
        return this;
    }

    public BundleAssembler pipeline(String key, String value) {
        pipeline.put(key, value);
        return this;
    }

    public Task task() {
        return task;
    }

    /**
     * Saves {@code model} as {@code <id>.onnx} in the bundle and records it as a variant.
     *
     * @return the recorded variant
     */
    public Variant addOnnx(String id, Role role, OnnxModel model, Precision precision, AttentionKind attention,
            int batchMin, int batchOpt, int batchMax, Map<String, String> attributes) throws BundleException {
        String file = id + ".onnx";
        Path p = dir.resolve(file);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new BundleException(dir, "cannot create the bundle directory (" + e.getMessage() + ")", e);
        }
        model.save(p);
        return addFile(id, role, file, VariantFormat.ONNX, precision, attention, batchMin, batchOpt, batchMax,
                Fingerprint.portable(), attributes);
    }

    /** Records a file already written into the bundle directory. */
    public Variant addFile(String id, Role role, String file, VariantFormat format, Precision precision,
            AttentionKind attention, int batchMin, int batchOpt, int batchMax, Fingerprint builtFor,
            Map<String, String> attributes) throws BundleException {
        Path p = dir.resolve(file);
        long size;
        try {
            size = Files.size(p);
        } catch (IOException e) {
            throw new BundleException(p, "cannot be read (" + e.getMessage() + ")", e);
        }
        variants.removeIf(v -> v.id().equals(id));
        Variant v = new Variant(id, role, file, format, precision, attention, batchMin, batchOpt, batchMax,
                Bundle.sha256(p), size, builtFor, attributes, List.of());
        variants.add(v);
        return v;
    }

    public BundleAssembler report(Report r) {
        reports.removeIf(x -> x.kind().equals(r.kind()) && x.variant().equals(r.variant()));
        reports.add(r);
        return this;
    }

    public List<Variant> variants() {
        return List.copyOf(variants);
    }

    /** The reports recorded so far about {@code variantId}. */
    public List<Report> reports(String variantId) {
        return reports.stream().filter(r -> r.variant().equals(variantId)).toList();
    }

    /** Writes bundle.json; every variant file must be in place. */
    public Bundle write() throws BundleException {
        if (inputs == null) {
            throw new IllegalStateException("describe(model) must be called before write()");
        }
        BundleManifest m = new BundleManifest(BundleManifest.SCHEMA_VERSION, name, task, inputs, outputs, preprocessing,
                labels, pipeline, variants, reports, "jedge " + Version.get(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return Bundle.write(dir, m);
    }
}
