package io.jedge.runtime.backend;

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
    default InferenceSession open(Path file, io.jedge.sdk.bundle.Variant variant, SessionOptions options) {
        return open(file, options);
    }
}
