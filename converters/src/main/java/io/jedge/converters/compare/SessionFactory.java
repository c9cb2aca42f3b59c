package io.jedge.converters.compare;

import io.jedge.runtime.backend.InferenceSession;
import java.nio.file.Path;

/** Opens an ONNX model for one side of a comparison (ONNX Runtime, or TensorRT after building an engine). */
@FunctionalInterface
public interface SessionFactory {
    InferenceSession open(Path onnxModel);
}
