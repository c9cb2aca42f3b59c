package io.jedge.runtime.backend;

import io.jedge.sdk.JedgeException;
import io.jedge.sdk.bundle.Bundle;
import io.jedge.sdk.bundle.Variant;
import io.jedge.sdk.bundle.VariantFormat;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An inference engine that can open variant files. Implementations are found with
 * {@link java.util.ServiceLoader}; a backend whose native library is missing still loads and
 * reports why through {@link #unavailableReason()} — it must not load natives in its constructor.
 */
public interface Backend {
    /** Short id: {@code ort-cpu}, {@code tensorrt}. */
    String name();

    /** Formats this backend opens. */
    boolean supports(VariantFormat format);

    /** Empty when usable here; otherwise one line naming what is missing and how to get it. */
    Optional<String> unavailableReason();

    /**
     * Opens a model. The caller owns the returned session and must close it.
     *
     * @throws io.jedge.sdk.JedgeException with {@code BACKEND_UNAVAILABLE} or {@code MODEL_LOAD_FAILED}
     */
    InferenceSession open(Path file, SessionOptions options);

    /**
     * Opens a bundle variant; backends whose files are platform-specific (TensorRT engines) check
     * the variant's fingerprint first and refuse a mismatch with {@code ENGINE_MISMATCH}.
     */
    default InferenceSession open(Path file, Variant variant, SessionOptions options) {
        return open(file, options);
    }

    /**
     * Opens a variant of {@code bundle} and checks that the file is the model the manifest
     * describes (inputs and outputs: names, types, ranks, fixed dims), so a replaced file fails here
     * with one line instead of at the first inference. Every runtime path opens variants this way;
     * a TensorRT engine is checked from its I/O tensors as an ONNX model is from its session.
     *
     * @throws io.jedge.sdk.JedgeException {@code MODEL_LOAD_FAILED} on a mismatch, or as {@link #open(Path, Variant, SessionOptions)}
     */
    default InferenceSession open(Bundle bundle, Variant variant, SessionOptions options) {
        InferenceSession s = open(bundle.resolve(variant), variant, options);
        Optional<String> why = bundle.manifest().signatureMismatch(variant, s.inputs(), s.outputs());
        if (why.isPresent()) {
            s.close();
            throw new JedgeException(JedgeException.Code.MODEL_LOAD_FAILED, bundle.dir() + ": " + why.get()
                    + "; the file was replaced (convert again)");
        }
        return s;
    }
}
