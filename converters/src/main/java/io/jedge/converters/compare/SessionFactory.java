package io.jedge.converters.compare;

import io.jedge.converters.onnx.OnnxModel;
import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.SessionOptions;
import io.jedge.runtime.backend.ort.OrtBackend;
import java.nio.file.Path;

/**
 * Opens one side of a comparison as an {@link InferenceSession}: ONNX Runtime in memory
 * ({@link #onnxRuntime}), TensorRT after building an engine ({@link TensorRtSessions}), or a
 * bundle's engine variant.
 */
@FunctionalInterface
public interface SessionFactory {
    /**
     * @param source the file the model came from
     * @param model  the model to run (a copy with extra outputs in layer-wise mode); null when the
     *               source is no ONNX model (an engine), which is then opened as it is
     * @param name   what the model is, for messages
     */
    InferenceSession open(Path source, OnnxModel model, String name);

    /** ONNX Runtime on the CPU, from the model in memory (no temporary file). */
    static SessionFactory onnxRuntime(SessionOptions options) {
        return (source, model, name) -> open(model != null ? model : OnnxModel.load(source), name, options);
    }

    /**
     * The one way the converters run a model: an in-memory ONNX Runtime CPU session over
     * {@code model} as it is now. The caller owns the session.
     */
    static InferenceSession open(OnnxModel model, String name, SessionOptions options) {
        return new OrtBackend().open(model.toBytes(), name, options);
    }
}
