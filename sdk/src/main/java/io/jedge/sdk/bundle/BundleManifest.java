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
}
