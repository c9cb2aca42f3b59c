package io.jedge.runtime.backend.ort;

import io.jedge.runtime.backend.InferenceSession;
import io.jedge.runtime.backend.InferenceSessionConformance;
import io.jedge.runtime.backend.SessionOptions;
import java.nio.file.Path;

/** The session contract on ONNX Runtime CPU, which is always present. */
class OrtInferenceSessionConformanceTest extends InferenceSessionConformance {
    @Override
    protected InferenceSession open(Path onnx) {
        return new OrtBackend().open(onnx, SessionOptions.builder().threads(1).build());
    }
}
