package io.jedge.sdk.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contents of a bundle's {@code bundle.json}: what the model is and every variant of it.
 * The format is versioned by {@link #SCHEMA_VERSION}; readers refuse other versions.
 *
 * @param pipeline task-specific settings as strings (e.g. diffusion scheduler defaults)
 */
public record BundleManifest(int schemaVersion, String name, Task task, List<TensorSpec> inputs,
        List<TensorSpec> outputs, Preprocessing preprocessing, List<String> labels, Map<String, String> pipeline,
        List<Variant> variants, List<Report> reports, String createdBy, String createdAt) {

    public static final int SCHEMA_VERSION = 1;
    public static final String FILE_NAME = "bundle.json";

    public BundleManifest {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        labels = labels == null ? List.of() : List.copyOf(labels);
        pipeline = pipeline == null ? Map.of() : Map.copyOf(pipeline);
        variants = List.copyOf(variants);
        reports = reports == null ? List.of() : List.copyOf(reports);
    }

    public Optional<Variant> variant(String id) {
        return variants.stream().filter(v -> v.id().equals(id)).findFirst();
    }

    public List<Variant> variants(Role role) {
        return variants.stream().filter(v -> v.role() == role).toList();
    }

    /** A copy with {@code v} replacing the variant of the same id, or appended. */
    public BundleManifest withVariant(Variant v) {
        List<Variant> next = new ArrayList<>(variants);
        int at = next.stream().map(Variant::id).toList().indexOf(v.id());
        if (at < 0) {
            next.add(v);
        } else {
            next.set(at, v);
        }
        return new BundleManifest(schemaVersion, name, task, inputs, outputs, preprocessing, labels, pipeline, next,
                reports, createdBy, createdAt);
    }

    /**
     * A copy where the engine {@code engineId} carries {@code sourceId}'s reports ({@link Report#carriedTo}), in place
     * of any it had (a rebuilt engine's old reports were carried from the same source).
     */
    public BundleManifest withReportsCarried(String sourceId, String engineId) {
        List<Report> next = new ArrayList<>(reports.stream().filter(r -> !r.variant().equals(engineId)).toList());
        reports.stream().filter(r -> r.variant().equals(sourceId)).map(r -> r.carriedTo(engineId)).forEach(next::add);
        return new BundleManifest(schemaVersion, name, task, inputs, outputs, preprocessing, labels, pipeline, variants,
                next, createdBy, createdAt);
    }

    /**
     * Why a model file with {@code fileInputs} and {@code fileOutputs} is not the model this
     * manifest describes for {@code v}, in one line naming the variant, the field, the manifest's
     * value and the file's; empty when it is. Names, ranks and element types must agree (float16
     * with float32 and int32 with int64 pass: backends convert them at the boundary), and so must
     * every dim fixed on both sides. A pipeline's decoder is not described by {@link #inputs()} and
     * {@link #outputs()}, so it always passes.
     */
    public Optional<String> signatureMismatch(Variant v, List<TensorSpec> fileInputs, List<TensorSpec> fileOutputs) {
        if (v.role() == Role.DECODER) {
            return Optional.empty();
        }
        Optional<String> why = mismatch("inputs", inputs, fileInputs);
        if (why.isEmpty()) {
            why = mismatch("outputs", outputs, fileOutputs);
        }
        return why.map(w -> "variant '" + v.id() + "' (" + v.file() + ") is not the model " + FILE_NAME + " describes: " + w);
    }

    /**
     * Why {@code labels} do not name the classes of an image classifier with {@code outputs}, in one
     * line; empty when they do, when there are none, or when the class count is not fixed. Labels
     * that do not match would name the wrong class in every answer.
     */
    public static Optional<String> labelsMismatch(Task task, List<String> labels, List<TensorSpec> outputs) {
        if (task != Task.IMAGE_CLASSIFICATION || labels.isEmpty() || outputs.isEmpty()) {
            return Optional.empty();
        }
        TensorSpec out = outputs.get(0);
        long classes = out.shape().size() == 2 ? out.shape().get(1) : -1;
        if (classes > 0 && labels.size() != classes) {
            return Optional.of(labels.size() + " labels, but output '" + out.name() + "' " + out.shape() + " has " + classes
                    + " classes (one label per class, in class order)");
        }
        return Optional.empty();
    }

    private static Optional<String> mismatch(String field, List<TensorSpec> want, List<TensorSpec> have) {
        for (int i = 0; i < want.size(); i++) {
            TensorSpec w = want.get(i);
            String at = field + "[" + i + "] '" + w.name() + "'";
            TensorSpec h = have.stream().filter(s -> s.name().equals(w.name())).findFirst().orElse(null);
            if (h == null) {
                return Optional.of(at + " is missing from the file, which has " + names(have));
            }
            if (!family(w.dataType()).equals(family(h.dataType()))) {
                return Optional.of(at + " type " + h.dataType() + " in the file, " + FILE_NAME + " says " + w.dataType());
            }
            boolean same = w.shape().size() == h.shape().size();
            for (int d = 0; same && d < w.shape().size(); d++) {
                long a = w.shape().get(d);
                long b = h.shape().get(d);
                same = a < 0 || b < 0 || a == b;
            }
            if (!same) {
                return Optional.of(at + " shape " + shapeText(h.shape()) + " in the file, " + FILE_NAME + " says " + shapeText(w.shape()));
            }
        }
        for (TensorSpec h : have) {
            if (want.stream().noneMatch(w -> w.name().equals(h.name()))) {
                return Optional.of(field + " of the file include '" + h.name() + "', which " + FILE_NAME + " does not list (it lists "
                        + names(want) + ")");
            }
        }
        return Optional.empty();
    }

    private static String family(String dataType) {
        return switch (dataType) {
            case "float16", "float32" -> "float";
            case "int32", "int64" -> "int";
            default -> dataType;
        };
    }

    private static List<String> names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList();
    }

    private static String shapeText(List<Long> shape) {
        return shape.stream().map(d -> d < 0 ? "?" : String.valueOf(d)).collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
