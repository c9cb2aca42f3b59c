package io.jedge.runtime.backend.trt.build;

import io.jedge.sdk.JedgeException;
import java.util.List;

/**
 * An engine build that failed inside TensorRT: the ONNX parser rejected a node, or the builder
 * reported errors. {@link #details()} holds each parser error or builder ERROR line.
 */
public final class TrtBuildException extends JedgeException {
    /** Where the build failed. */
    public enum Stage { PARSE, CONFIGURE, BUILD }

    private final Stage stage;
    private final List<String> details;

    public TrtBuildException(Stage stage, String message, List<String> details) {
        super(stage == Stage.PARSE ? Code.MODEL_LOAD_FAILED : Code.ENGINE_BUILD_FAILED, message);
        this.stage = stage;
        this.details = List.copyOf(details);
    }

    public Stage stage() {
        return stage;
    }

    public List<String> details() {
        return details;
    }
}
