package io.jedge.sdk.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One runnable form of the bundle's model.
 *
 * @param id         unique within the bundle, e.g. {@code fp32-vanilla}
 * @param role       which part of a pipeline this is ({@link Role#MODEL} for single models)
 * @param file       path relative to the bundle directory
 * @param format     ONNX or a serialized TensorRT engine
 * @param batchMin   smallest batch the variant accepts
 * @param batchOpt   batch it was tuned for
 * @param batchMax   largest batch it accepts
 * @param sha256     hex digest of the file, checked on load
 * @param builtFor   the platform an engine was built for ({@link Fingerprint#portable()} for ONNX)
 * @param attributes free-form build facts (e.g. ELFATT block size, layers converted)
 * @param figures    measured figures keyed by where they were measured
 */
public record Variant(String id, Role role, String file, VariantFormat format, Precision precision,
        AttentionKind attention, int batchMin, int batchOpt, int batchMax, String sha256, long sizeBytes,
        Fingerprint builtFor, Map<String, String> attributes, List<Figure> figures) {
    /** The largest batch a variant may declare: far above any real one, small enough to allocate. */
    public static final int MAX_BATCH = 4096;

    /** What a variant id may hold: it is printed, matched by {@code --variant} and part of file names. */
    static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

    public Variant {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        figures = figures == null ? List.of() : List.copyOf(figures);
    }

    /** This variant with attribute {@code key} set to {@code value}. */
    public Variant withAttribute(String key, String value) {
        Map<String, String> next = new java.util.LinkedHashMap<>(attributes);
        next.put(key, value);
        return new Variant(id, role, file, format, precision, attention, batchMin, batchOpt, batchMax, sha256, sizeBytes, builtFor,
                next, figures);
    }

    /** A copy with {@code figure} added, replacing an older figure from the same place and batch. */
    public Variant withFigure(Figure figure) {
        List<Figure> next = new ArrayList<>();
        for (Figure f : figures) {
            if (!(f.measuredOn(figure.device(), figure.powerMode(), figure.backend()) && f.batch() == figure.batch()
                    && f.simulated() == figure.simulated())) {
                next.add(f);
            }
        }
        next.add(figure);
        return new Variant(id, role, file, format, precision, attention, batchMin, batchOpt, batchMax, sha256,
                sizeBytes, builtFor, attributes, next);
    }

    public boolean acceptsBatch(int batch) {
        return batch >= batchMin && batch <= batchMax;
    }
}
